package dev.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.ObservedCall.BlockStatus;
import dev.callbridge.reconcile.Decision.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Operations whose answer never comes, and what Slack refuses about people or about the call. */
class RecoveryTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Duration TIMEOUT = BridgeConfig.defaults().reconciler().opTimeout();
    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Participant BOB = Participant.external("+15550100", "Bob");
    private static final Participant GONE = Participant.slackUser("U0GONE");

    private final ReconcilerSettings settings = Simulation.settings(Map.of("slack.default.channel", "C0CALLS"));
    private final SlackModel slack = new SlackModel();
    private final Simulation sim = Simulation.reliable(settings, slack, T0);
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", T0);

    @Test
    void aCallsAddWhoseAnswerNeverCameIsAddedAgainUnderANewOpIdOnceTheTimeoutPassed() {
        sim.deliver(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        CallOp lost = sim.loseAnswer("call-1", false);
        Instant issued = sim.now();

        assertThat(sim.sweep("call-1", issued.plus(TIMEOUT).minusSeconds(1)).outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        Decision recovered = sim.sweep("call-1", issued.plus(TIMEOUT).plusSeconds(1));

        assertThat(recovered.outcome()).isEqualTo(Outcome.RECOVERED);
        assertThat(recovered.ops()).singleElement().isInstanceOfSatisfying(CallOp.AddCall.class,
                again -> assertThat(again.opId()).isNotEqualTo(lost.opId()));
        sim.settle();
        assertThat(slack.callsFor("call-1")).singleElement().satisfies(c -> assertThat(c.users).containsOnlyKeys(ALICE.key()));
        assertThat(sim.state("call-1").lastFailure().error()).startsWith("no_answer");
    }

    @Test
    void aLostAnswerOnACallSlackKnowsIsRecoveredWithCallsInfoSoTheBlockIsNotPostedTwice() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        assertThat(sim.pendingOp("call-1")).isInstanceOf(CallOp.PostCallBlock.class);
        sim.loseAnswer("call-1", true);

        Decision recovered = sim.sweep("call-1", sim.now().plus(TIMEOUT).plusSeconds(1));

        assertThat(recovered.ops()).singleElement().isInstanceOf(CallOp.InspectCall.class);
        sim.settle();
        assertThat(slack.requests().stream().filter(op -> op.method() == SlackMethod.CHAT_POST_MESSAGE)).hasSize(1);
        assertThat(sim.state("call-1").observed().block()).isEqualTo(BlockStatus.POSTED);
        assertThat(sim.state("call-1").inFlight()).isNull();
        assertThat(slack.violations()).isEmpty();
    }

    @Test
    void aRetryingOperationThatKeepsReportingIsNotTakenAsLost() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        CallOp add = sim.pendingOp("call-1");
        sim.sweep("call-1", T0.plus(TIMEOUT.dividedBy(2)));
        sim.deliverResult(new OpResult.RateLimited(add.opId(), "call-1", add.method(), 1, Duration.ofMinutes(5)));

        Decision later = sim.sweep("call-1", T0.plus(TIMEOUT).plusSeconds(1));

        assertThat(later.outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        assertThat(sim.pendingOp("call-1")).isEqualTo(add);
    }

    @Test
    void anOperationIssuedBeforeOperationsCarriedTheirTimeoutIsGivenAFullTimeoutFromItsFirstSweep() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        CallState legacy = sim.state("call-1").withInFlight(sim.state("call-1").inFlight().heard(null));
        Reconciler reconciler = new Reconciler(settings);
        Instant firstSweep = T0.plus(Duration.ofDays(1));

        Decision first = reconciler.onSweep(legacy, firstSweep);
        assertThat(first.ops()).isEmpty();
        assertThat(first.state().inFlight().heardAt()).isEqualTo(firstSweep);
        assertThat(reconciler.onSweep(first.state(), firstSweep.plus(TIMEOUT).minusSeconds(1)).ops()).isEmpty();
        assertThat(reconciler.onSweep(first.state(), firstSweep.plus(TIMEOUT).plusSeconds(1)).outcome())
                .isEqualTo(Outcome.RECOVERED);
    }

    @Test
    void anOperationTheDispatcherLetExpireUnsentIsPlannedAgainAtOnce() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        CallOp add = sim.pendingOp("call-1");

        Decision decision = sim.deliverResult(new OpResult.Expired(add.opId(), "call-1", add.method(), 1));

        assertThat(decision.outcome()).isEqualTo(Outcome.RECOVERED);
        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.AddCall.class,
                again -> assertThat(again.opId()).isNotEqualTo(add.opId()));
    }

    @Test
    void aRedriveOfTheDeadLetteredOperationInFlightUnsticksTheCall() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        sim.answer("call-1");
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(ALICE));
        // Its answer was unreadable and dead-lettered: the reconciler never saw it.
        CallOp deadLettered = sim.loseAnswer("call-1", false);

        Decision decision = sim.deliverResult(OpResult.Redriven.of(deadLettered, "slack.call-results/0/9"));

        assertThat(decision.outcome()).isEqualTo(Outcome.RECOVERED);
        sim.settle();
        assertThat(slack.callsFor("call-1").get(0).users).containsOnlyKeys(ALICE.key());
        assertThat(sim.state("call-1").inFlight()).isNull();
    }

    @Test
    void theSweeperEndsAStaleCallEvenWhenItsOperationNeverAnswers() {
        ReconcilerSettings shortStale =
                Simulation.settings(Map.of("slack.default.channel", "C0CALLS", "calls.stale.after", "1h"));
        Simulation sim = Simulation.reliable(shortStale, slack, T0);
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        sim.answer("call-1");
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(ALICE));
        sim.loseAnswer("call-1", true);

        sim.sweep("call-1", sim.now().plus(Duration.ofHours(1)).plusSeconds(1));
        sim.settle();

        SlackModel.Call shown = slack.callsFor("call-1").get(0);
        assertThat(shown.ended).isTrue();
        assertThat(shown.users).containsOnlyKeys(ALICE.key());
        assertThat(sim.state("call-1").phase()).isEqualTo(CallState.Phase.ENDED);
    }

    @Test
    void aCallsAddRefusedForAnUnknownPersonAddsTheCallWithoutThemAndSaysWhy() {
        sim.deliver(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE, GONE)));
        CallOp add = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(add.opId(), "call-1", add.method(), 1, "user_not_found", false));

        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.AddCall.class,
                again -> assertThat(again.users()).isEmpty());
        sim.answer("call-1");
        sim.answer("call-1");
        // Then each alone: Alice is taken, the unknown user refused for good.
        assertThat(((CallOp.AddParticipants) sim.pendingOp("call-1")).users()).containsExactly(ALICE);
        sim.answer("call-1");
        CallOp second = sim.pendingOp("call-1");
        assertThat(((CallOp.AddParticipants) second).users()).containsExactly(GONE);
        sim.deliverResult(new OpResult.Failed(second.opId(), "call-1", second.method(), 1, "user_not_found", false));
        sim.settle();

        CallState state = sim.state("call-1");
        assertThat(state.phase()).isEqualTo(CallState.Phase.LIVE);
        assertThat(state.observed().participants()).containsOnlyKeys(ALICE.key());
        assertThat(state.observed().rejected()).containsExactly(GONE.key());
        assertThat(state.observed().refusals()).containsEntry(GONE.key(), "user_not_found")
                .doesNotContainKey(ALICE.key());
        assertThat(slack.callsFor("call-1").get(0).users).containsOnlyKeys(ALICE.key());
    }

    @Test
    void aParticipantsBatchRefusedForAReasonAboutTheCallRejectsNobodyForGood() {
        CallOp batch = aliceAndBobInOneBatch();
        sim.deliverResult(new OpResult.Failed(batch.opId(), "call-1", batch.method(), 8, "internal_error", true));

        assertThat(sim.pendingOp("call-1")).as("no loop on a failing call").isNull();
        assertThat(sim.state("call-1").observed().rejected()).isEmpty();
        assertThat(sim.state("call-1").observed().deferred()).containsExactlyInAnyOrder(ALICE.key(), BOB.key());

        // The call works again: the next success brings them back, as one batch.
        sim.deliver(call.after(Duration.ofSeconds(3)).updated("Renamed", null, null));
        sim.settle();
        assertThat(slack.callsFor("call-1").get(0).users).containsOnlyKeys(ALICE.key(), BOB.key());
        assertThat(sim.state("call-1").observed().deferred()).isEmpty();
    }

    @Test
    void aParticipantsBatchRefusedForMissingScopeIsNotIsolatedPersonByPerson() {
        CallOp batch = aliceAndBobInOneBatch();

        sim.deliverResult(new OpResult.Failed(batch.opId(), "call-1", batch.method(), 1, "missing_scope", false));

        assertThat(sim.state("call-1").observed().isolated()).isEmpty();
        assertThat(sim.state("call-1").observed().refusals()).containsEntry(ALICE.key(), "missing_scope");
        // A redrive after the scope was granted offers them again.
        sim.deliverResult(OpResult.Redriven.of(batch, "slack.call-ops.dlt/0/3"));
        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.AddParticipants.class,
                again -> assertThat(again.users()).containsExactlyInAnyOrder(ALICE, BOB));
    }

    @Test
    void aParticipantsBatchRefusedForAnyOtherReasonIsOfferedPersonByPerson() {
        CallOp batch = aliceAndBobInOneBatch();

        sim.deliverResult(new OpResult.Failed(batch.opId(), "call-1", batch.method(), 1, "invalid_arguments", false));

        assertThat(sim.state("call-1").observed().deferred()).isEmpty();
        assertThat(sim.state("call-1").observed().isolated()).containsExactlyInAnyOrder(ALICE.key(), BOB.key());
        assertThat(((CallOp.AddParticipants) sim.pendingOp("call-1")).users()).hasSize(1);
    }

    @Test
    void whenTheBridgesOwnCallsInfoIsRefusedALostBlockPostIsNotPostedAgain() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        sim.loseAnswer("call-1", true);
        sim.sweep("call-1", sim.now().plus(TIMEOUT).plusSeconds(1));
        CallOp inspect = sim.pendingOp("call-1");
        assertThat(inspect).isInstanceOf(CallOp.InspectCall.class);

        sim.deliverResult(new OpResult.Failed(inspect.opId(), "call-1", inspect.method(), 1, "missing_scope", false));
        sim.settle();

        assertThat(slack.requests().stream().filter(op -> op.method() == SlackMethod.CHAT_POST_MESSAGE)).hasSize(1);
        assertThat(sim.state("call-1").observed().block()).isEqualTo(BlockStatus.POSTED);
    }

    @Test
    void inactiveCallOnAnyMethodMeansTheCallEndedInSlackAndNothingMoreIsSent() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.settle();
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(ALICE));
        CallOp join = sim.pendingOp("call-1");

        sim.deliverResult(new OpResult.Succeeded(join.opId(), "call-1", join.method(), 1, null, null, null, "inactive_call"));
        sim.deliver(call.after(Duration.ofSeconds(2)).joined(BOB));
        sim.deliver(call.after(Duration.ofSeconds(3)).ended());

        CallState state = sim.state("call-1");
        assertThat(state.phase()).isEqualTo(CallState.Phase.ENDED);
        assertThat(state.lastFailure().error()).isEqualTo("inactive_call");
        assertThat(sim.pendingOp("call-1")).isNull();
        assertThat(state.observed().participants()).doesNotContainKey(ALICE.key());
    }

    @Test
    void afterAResetThatLostTheCallAnOldResultReplayedNeverMatchesTheNewOperation() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        CallOp before = sim.pendingOp("call-1");
        OpResult old = slack.answer(before, 1);

        // A new life of the call's state, later, with nothing recovered: the same history plans the same step.
        Simulation reset = Simulation.reliable(settings, new SlackModel(), T0.plus(Duration.ofDays(1)));
        reset.deliver(call.started("https://pbx.example/j/1"));
        CallOp after = reset.pendingOp("call-1");
        Decision replayed = reset.deliverResult(old);

        assertThat(after.opId()).isNotEqualTo(before.opId());
        assertThat(replayed.outcome()).isEqualTo(Outcome.STALE_RESULT);
        assertThat(reset.pendingOp("call-1")).isEqualTo(after);
        assertThat(reset.state("call-1").observed().added()).isFalse();
    }

    /** A live call whose two joiners arrived while its block was being posted: one participants batch. */
    private CallOp aliceAndBobInOneBatch() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(ALICE));
        sim.deliver(call.after(Duration.ofSeconds(2)).joined(BOB));
        sim.answer("call-1");
        CallOp batch = sim.pendingOp("call-1");
        assertThat(((CallOp.AddParticipants) batch).users()).containsExactlyInAnyOrder(ALICE, BOB);
        return batch;
    }
}
