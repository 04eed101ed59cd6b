package dev.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.state.CallState;
import dev.callbridge.reconcile.Decision.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconciler's side of holding a call's {@code calls.add} while the bridge reads a backlog. */
class HeldAddTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Participant BOB = Participant.external("+15550100", "Bob");
    private static final Participant CAROL = Participant.slackUser("U0CAROL");

    private final Reconciler reconciler = new Reconciler(Simulation.settings(Map.of("slack.default.channel", "C0CALLS")));
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", T0);

    @Test
    void aHeldStartPlansNothingAndTheCallWaitsForItsAdd() {
        Decision started = reconciler.apply(null, event(call.started("https://pbx.example/j/1", "Standup", null,
                List.of(ALICE))), T0, true);

        assertThat(started.ops()).isEmpty();
        assertThat(started.stateChanged()).isTrue();
        assertThat(started.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(Reconciler.awaitsAdd(started.state())).isTrue();
        assertThat(started.state().phase()).isEqualTo(CallState.Phase.ADDING);
    }

    @Test
    void theReleasedAddCarriesTheNetOfWhatWasHeld() {
        CallState state = reconciler.apply(null, event(call.started("https://pbx.example/j/1", "Standup", null,
                List.of(ALICE))), T0, true).state();
        state = reconciler.apply(state, event(call.after(Duration.ofMillis(200)).joined(BOB)), T0, true).state();
        state = reconciler.apply(state, event(call.after(Duration.ofMillis(200)).joined(CAROL)), T0, true).state();
        Decision left = reconciler.apply(state, event(call.after(Duration.ofMillis(200)).left(ALICE)), T0, true);
        assertThat(left.ops()).isEmpty();

        Decision released = reconciler.release(left.state(), T0.plusSeconds(2));

        assertThat(released.outcome()).isEqualTo(Outcome.RELEASED);
        assertThat(released.ops()).singleElement().isInstanceOfSatisfying(CallOp.AddCall.class,
                add -> assertThat(add.users()).containsExactlyInAnyOrder(BOB, CAROL));
        assertThat(released.state().inFlight().op()).isEqualTo(released.ops().get(0));
        assertThat(Reconciler.awaitsAdd(released.state())).isFalse();
    }

    @Test
    void anEndIsNeverHeldTheCallIsAddedWithEveryoneAsOfItsEnd() {
        CallState state = reconciler.apply(null, event(call.started("https://pbx.example/j/1", "Standup", null,
                List.of(ALICE))), T0, true).state();
        state = reconciler.apply(state, event(call.after(Duration.ofMillis(300)).joined(BOB)), T0, true).state();

        Decision ended = reconciler.apply(state, event(call.after(Duration.ofSeconds(1)).ended()), T0, true);

        assertThat(ended.ops()).singleElement().isInstanceOfSatisfying(CallOp.AddCall.class,
                add -> assertThat(add.users()).containsExactlyInAnyOrder(ALICE, BOB));
    }

    @Test
    void anEventReadWithoutHoldingPlansTheHeldCallsAdd() {
        CallState state = reconciler.apply(null, event(call.started("https://pbx.example/j/1")), T0, true).state();

        Decision joined = reconciler.apply(state, event(call.after(Duration.ofMillis(200)).joined(BOB)), T0, false);

        assertThat(joined.ops()).singleElement().isInstanceOf(CallOp.AddCall.class);
    }

    @Test
    void releaseLeavesACallWithAnOperationInFlightAsItWas() {
        Decision added = reconciler.apply(null, event(call.started("https://pbx.example/j/1")), T0, false);
        assertThat(added.ops()).singleElement().isInstanceOf(CallOp.AddCall.class);

        Decision released = reconciler.release(added.state(), T0.plusSeconds(1));

        assertThat(released.ops()).isEmpty();
        assertThat(released.stateChanged()).isFalse();
        assertThat(released.outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
    }

    @Test
    void aCallWithoutItsStartIsNotWaitingForAnAdd() {
        Decision joined = reconciler.apply(null, event(call.after(Duration.ofMillis(200)).joined(BOB)), T0, true);

        assertThat(Reconciler.awaitsAdd(joined.state())).isFalse();
        assertThat(Reconciler.awaitsAdd(null)).isFalse();
        assertThat(reconciler.release(joined.state(), T0).ops()).isEmpty();
    }

    private static CallInput event(dev.callbridge.model.event.CallEvent event) {
        return new CallInput.Event(event);
    }
}
