package dev.callbridge.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.reconcile.Decision;
import dev.callbridge.reconcile.Reconciler;
import dev.callbridge.slack.SlackCallInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Participant BOB = Participant.slackUser("U0BOB");

    private final Reconciler reconciler = new Reconciler(BridgeConfig.defaults().reconciler());
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx", T0);

    /** The call as the bridge holds it once Slack has it with Alice on it, titled "Standup". */
    private CallState inSlackWithAlice() {
        Decision started = reconciler.onEvent(null, call.started("https://pbx.example/j/1", "Standup", null,
                List.of(ALICE)), T0);
        CallOp add = started.ops().get(0);
        return reconciler.onResult(started.state(), new OpResult.Succeeded(add.opId(), "call-1", add.method(), 1,
                "R1", null, null, null), T0).state();
    }

    private static SlackCallInfo.Found slack(boolean ended, List<Participant> users, String title) {
        return new SlackCallInfo.Found("R1", "call-1", ended, users, title, "https://pbx.example/j/1", null, List.of());
    }

    @Test
    void slackShowingWhatTheBridgeWantsIsInSync() {
        Drift drift = Drift.between(inSlackWithAlice(), slack(false, List.of(ALICE), "Standup"));

        assertThat(drift.inSync()).isTrue();
        assertThat(drift.unknownToBridge()).isFalse();
        assertThat(drift.beyondRepair()).isEmpty();
    }

    @Test
    void missingAndExtraPeopleAndATitleChangedInSlackAreDrift() {
        Drift drift = Drift.between(inSlackWithAlice(), slack(false, List.of(BOB), "Renamed by hand"));

        assertThat(drift.differences()).containsExactlyInAnyOrder(
                "missing in Slack: slack:U0ALICE",
                "in Slack but not on the call: slack:U0BOB",
                "title is 'Renamed by hand' in Slack, wanted 'Standup'");
        assertThat(drift.unknownToBridge()).isTrue();
    }

    @Test
    void aSlackCallEndedWhileTheProviderGoesOnIsBeyondRepairButTheBridgeShouldLearnIt() {
        Drift drift = Drift.between(inSlackWithAlice(), slack(true, List.of(ALICE), "Standup"));

        assertThat(drift.inSync()).isTrue();
        assertThat(drift.beyondRepair()).singleElement().asString().contains("stays ended");
        assertThat(drift.unknownToBridge()).isTrue();
    }

    @Test
    void aCallEndedAtTheProviderButLiveInSlackIsDrift() {
        CallState ending = reconciler.onEvent(inSlackWithAlice(), call.after(Duration.ofMinutes(5)).ended(), T0).state();

        assertThat(Drift.between(ending, slack(false, List.of(ALICE), "Standup")).differences())
                .containsExactly("the call ended at the provider but Slack shows it live");
    }
}
