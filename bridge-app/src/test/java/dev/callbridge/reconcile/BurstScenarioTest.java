package dev.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The burst scenario of SPEC §9: five people join within a second of the start, two of them leave,
 * the call ends. A bridge sending one request per event would send 9; this one coalesces.
 */
class BurstScenarioTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final int ONE_REQUEST_PER_EVENT = 9;

    private final ReconcilerSettings settings = Simulation.settings(Map.of("slack.default.channel", "C0CALLS"));

    private List<CallEvent> burst() {
        CallEvents call = CallEvents.sequenced("burst-1", "pbx-eu", T0);
        List<Participant> people = IntStream.rangeClosed(1, 5)
                .mapToObj(i -> Participant.external("+1555010" + i, "Caller " + i)).toList();
        List<CallEvent> events = new ArrayList<>();
        events.add(call.started("https://pbx.example/j/burst"));
        people.forEach(p -> events.add(call.after(Duration.ofMillis(180)).joined(p)));
        events.add(call.after(Duration.ofMillis(150)).left(people.get(3)));
        events.add(call.after(Duration.ofMillis(150)).left(people.get(4)));
        events.add(call.after(Duration.ofMillis(200)).ended());
        return events;
    }

    @Test
    void theWholeBurstArrivingWhileCallsAddIsInFlightTakesThreeRequestsBesidesTheBlock() {
        SlackModel slack = new SlackModel();
        Simulation sim = Simulation.reliable(settings, slack, T0);

        burst().forEach(sim::deliver);
        sim.settle();

        assertEconomy(slack);
    }

    @Test
    void aBurstSpreadOverSlackRoundTripsOfASecondTakesThreeRequestsBesidesTheBlock() {
        // Events arrive at their own times; Slack (or the wait for rate-limit budget) takes a second per request.
        SlackModel slack = new SlackModel();
        Simulation sim = Simulation.reliable(settings, slack, T0);
        Duration roundTrip = Duration.ofSeconds(1);
        Instant slackFreeAt = T0;
        for (CallEvent event : burst()) {
            while (sim.hasPending() && !slackFreeAt.isAfter(event.time())) {
                sim.answer("burst-1");
                slackFreeAt = slackFreeAt.plus(roundTrip);
            }
            if (!sim.hasPending()) {
                slackFreeAt = event.time().plus(roundTrip);
            }
            sim.deliver(event);
        }
        sim.settle();

        assertEconomy(slack);
    }

    private static void assertEconomy(SlackModel slack) {
        List<SlackMethod> sent = slack.requests().stream().map(CallOp::method).toList();
        List<SlackMethod> besidesBlock = sent.stream().filter(m -> m != SlackMethod.CHAT_POST_MESSAGE).toList();
        System.out.printf("burst scenario: %d requests besides the block post %s (one per event: %d)%n",
                besidesBlock.size(), besidesBlock, ONE_REQUEST_PER_EVENT);

        assertThat(besidesBlock.size()).isLessThanOrEqualTo(3).isLessThan(ONE_REQUEST_PER_EVENT);
        assertThat(sent).filteredOn(m -> m == SlackMethod.CHAT_POST_MESSAGE).hasSize(1);
        SlackModel.Call shown = slack.callsFor("burst-1").get(0);
        assertThat(shown.users).hasSize(3);
        assertThat(shown.ended).isTrue();
        assertThat(slack.adds("burst-1")).isEqualTo(1);
        assertThat(slack.violations()).isEmpty();
    }
}
