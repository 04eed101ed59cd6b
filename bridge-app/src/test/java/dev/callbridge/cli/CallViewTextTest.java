package dev.callbridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.EventOrder;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.DesiredCall;
import dev.callbridge.model.state.ObservedCall;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CallViewTextTest {

    @Test
    void peopleSlackSetAsideAreShownWithTheErrorThatDidIt() {
        ObservedCall observed = ObservedCall.none().withRefusals(new TreeSet<>(Set.of("slack:U0GONE")),
                new TreeSet<>(Set.of("slack:U0MAYBE")), new TreeSet<>(Set.of("slack:U0LATER")),
                new TreeMap<>(Map.of("slack:U0GONE", "user_not_found", "slack:U0MAYBE", "bad_users",
                        "slack:U0LATER", "missing_scope")));
        CallState view = CallState.fresh("call-1", Instant.parse("2026-03-02T09:00:00Z")).withObserved(observed);

        StringWriter text = new StringWriter();
        CallViewText.print(view, new PrintWriter(text, true));

        assertThat(text.toString())
                .contains("refused by Slack  slack:U0GONE (user_not_found)")
                .contains("offered alone     slack:U0MAYBE (bad_users)")
                .contains("held back         slack:U0LATER (missing_scope); offered again after the next success");
    }

    @Test
    void theAnalysisLineSaysWhyNoReplyWasPostedAndTheControlLineWhereItStands() {
        Instant t0 = Instant.parse("2026-03-02T09:00:00Z");
        DesiredCall.Analysis analysis = new DesiredCall.Analysis("Short call.", null, null, null,
                new EventOrder(null, t0), "4:test#e-2");
        DesiredCall.Start start = new DesiredCall.Start(null, "U0CREATOR", t0.getEpochSecond(), null, null,
                new EventOrder(null, t0), "urn:callbridge:voice-ai");
        DesiredCall noChannel = new DesiredCall(start, null, null, null, null, null, t0, analysis);
        CallState view = CallState.fresh("call-1", t0).withDesired(noChannel)
                .withObserved(ObservedCall.none().withEndCallControl(new ObservedCall.Reply(
                        ObservedCall.ReplyStatus.FAILED, "1772442002.000200", "message_not_found")));

        StringWriter text = new StringWriter();
        CallViewText.print(view, new PrintWriter(text, true));

        assertThat(text.toString())
                .contains("analysis          not posted: the call has no channel")
                .contains("end call control  FAILED (1772442002.000200): message_not_found");
    }
}
