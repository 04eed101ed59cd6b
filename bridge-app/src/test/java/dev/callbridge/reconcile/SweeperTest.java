package dev.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.reconcile.Decision.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweeperTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Duration STALE = Duration.ofHours(12);

    private final ReconcilerSettings settings =
            Simulation.settings(Map.of("calls.stale.after", "12h", "calls.dedupe.window", "64"));
    private final SlackModel slack = new SlackModel();
    private final Simulation sim = Simulation.reliable(settings, slack, T0);
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", T0);

    @Test
    void aLiveCallIsLeftAloneUntilItHasBeenSilentForTheStaleTime() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.settle();

        Decision early = sim.sweep("call-1", sim.now().plus(STALE).minusSeconds(1));

        assertThat(early.outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        assertThat(early.stateChanged()).isFalse();
    }

    @Test
    void aSilentCallIsEndedWithAStatedReasonAndTheDurationItIsKnownToHaveHad() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.deliver(call.after(Duration.ofMinutes(3)).joined(Participant.slackUser("U0ALICE")));
        sim.settle();

        Decision swept = sim.sweep("call-1", sim.now().plus(STALE).plusSeconds(1));
        sim.settle();

        assertThat(swept.outcome()).isEqualTo(Outcome.SWEPT);
        assertThat(swept.ops()).singleElement().isInstanceOfSatisfying(CallOp.EndCall.class, end -> {
            assertThat(end.reason()).contains("stale-call sweeper").contains("PT12H");
            assertThat(end.duration()).isEqualTo(180L);
        });
        assertThat(slack.callsFor("call-1").get(0).ended).isTrue();
        assertThat(swept.state().desired().end().swept()).isTrue();
    }

    @Test
    void aFinishedCallIsForgottenAfterItsRetention() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.deliver(call.after(Duration.ofSeconds(10)).ended());
        sim.settle();

        assertThat(sim.sweep("call-1", sim.now().plus(Duration.ofDays(6))).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        Decision forgotten = sim.sweep("call-1", sim.now().plus(Duration.ofDays(8)));

        assertThat(forgotten.outcome()).isEqualTo(Outcome.FORGOTTEN);
        assertThat(forgotten.state()).isNull();
        assertThat(forgotten.stateChanged()).isTrue();
    }

    @Test
    void eventsOfACallThatNeverStartedAreDroppedAfterTheStaleTime() {
        sim.deliver(call.joined(Participant.slackUser("U0ALICE")));

        Decision forgotten = sim.sweep("call-1", sim.now().plus(STALE).plusSeconds(1));

        assertThat(forgotten.outcome()).isEqualTo(Outcome.FORGOTTEN);
        assertThat(forgotten.state()).isNull();
        assertThat(slack.requests()).isEmpty();
    }

    @Test
    void aCallAlreadyEndingIsNotSweptAgain() {
        Simulation sim = Simulation.reliable(
                Simulation.settings(Map.of("calls.stale.after", "12h", "calls.dedupe.window", "64", "calls.op.timeout", "24h")),
                slack, T0);
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.deliver(call.after(Duration.ofSeconds(5)).ended());
        // calls.add is still in flight: the end waits behind it.

        Decision decision = sim.sweep("call-1", sim.now().plus(STALE).plusSeconds(1));

        assertThat(decision.outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        assertThat(decision.ops()).isEmpty();
    }
}
