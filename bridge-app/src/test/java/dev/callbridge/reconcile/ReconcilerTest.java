package dev.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvent;
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

class ReconcilerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Participant BOB = Participant.external("+15550100", "Bob");
    private static final Participant CAROL = Participant.slackUser("U0CAROL");

    private final ReconcilerSettings settings = Simulation.settings(Map.of("slack.default.channel", "C0CALLS"));
    private final SlackModel slack = new SlackModel();
    private final Simulation sim = Simulation.reliable(settings, slack, T0);
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", T0);

    private List<SlackMethod> methodsSent() {
        return slack.requests().stream().map(CallOp::method).toList();
    }

    @Test
    void aNormalLifecycleAddsPostsSyncsAndEndsTheCall() {
        sim.deliver(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        sim.settle();
        sim.deliver(call.after(Duration.ofSeconds(5)).joined(BOB));
        sim.settle();
        sim.deliver(call.after(Duration.ofSeconds(60)).left(ALICE));
        sim.settle();
        sim.deliver(call.after(Duration.ofSeconds(10)).ended());
        sim.settle();

        assertThat(methodsSent()).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE,
                SlackMethod.CALLS_PARTICIPANTS_ADD, SlackMethod.CALLS_PARTICIPANTS_REMOVE, SlackMethod.CALLS_END);
        SlackModel.Call shown = slack.callsFor("call-1").get(0);
        assertThat(shown.users).containsOnlyKeys(BOB.key());
        assertThat(shown.ended).isTrue();
        assertThat(shown.duration).isEqualTo(75L);
        assertThat(shown.blockPosted).isTrue();
        assertThat(sim.state("call-1").phase()).isEqualTo(CallState.Phase.ENDED);
        assertThat(slack.violations()).isEmpty();
    }

    @Test
    void theAddCarriesEveryoneWhoJoinedBeforeItWasSent() {
        CallEvent started = call.started("https://pbx.example/j/1");
        CallEvent aliceJoins = call.after(Duration.ofSeconds(1)).joined(ALICE);
        CallEvent bobJoins = call.after(Duration.ofSeconds(1)).joined(BOB);
        sim.deliver(aliceJoins);
        sim.deliver(bobJoins);
        assertThat(sim.emitted()).as("held until call.started").isEmpty();

        sim.deliver(started);

        CallOp.AddCall add = (CallOp.AddCall) sim.pendingOp("call-1");
        assertThat(add.users()).containsExactly(BOB, ALICE);
        assertThat(add.dateStart()).isEqualTo(T0.getEpochSecond());
    }

    @Test
    void duplicateEventsChangeNothing() {
        CallEvent started = call.started("https://pbx.example/j/1");
        CallEvent joined = call.after(Duration.ofSeconds(3)).joined(ALICE);
        sim.deliver(started);
        sim.settle();
        sim.deliver(joined);
        sim.settle();
        CallState before = sim.state("call-1");
        int requestsBefore = slack.requests().size();

        Reconciler reconciler = new Reconciler(settings);
        for (CallEvent again : List.of(started, joined)) {
            Decision decision = reconciler.onEvent(before, again, T0.plusSeconds(30));
            assertThat(decision.outcome()).isEqualTo(Outcome.DUPLICATE);
            assertThat(decision.stateChanged()).isFalse();
            assertThat(decision.ops()).isEmpty();
        }
        assertThat(slack.requests()).hasSize(requestsBefore);
    }

    @Test
    void joinLeaveJoinEndsUpPresentInAnyOrder() {
        CallEvent started = call.started("https://pbx.example/j/1");
        CallEvent join1 = call.after(Duration.ofSeconds(1)).joined(ALICE);
        CallEvent leave = call.after(Duration.ofSeconds(1)).left(ALICE);
        CallEvent join2 = call.after(Duration.ofSeconds(1)).joined(ALICE);
        CallEvent ended = call.after(Duration.ofSeconds(1)).ended();

        for (List<CallEvent> order : List.of(
                List.of(started, join1, leave, join2, ended),
                List.of(started, join2, leave, join1, ended),
                List.of(join2, started, join1, leave, ended))) {
            SlackModel slackModel = new SlackModel();
            Simulation run = Simulation.reliable(settings, slackModel, T0);
            for (CallEvent event : order) {
                run.deliver(event);
                run.settle();
            }
            assertThat(slackModel.callsFor("call-1")).singleElement()
                    .satisfies(c -> assertThat(c.users).containsOnlyKeys(ALICE.key()));
            assertThat(slackModel.violations()).isEmpty();
        }
    }

    @Test
    void aCallEndedBeforeItWasAddedIsStillAddedAndEnded() {
        CallEvent started = call.started("https://pbx.example/j/1", "Escalation", null, List.of());
        CallEvent joined = call.after(Duration.ofSeconds(2)).joined(ALICE);
        CallEvent ended = call.after(Duration.ofSeconds(40)).ended(null, "caller hung up");

        sim.deliver(ended);
        sim.deliver(joined);
        assertThat(sim.emitted()).isEmpty();
        sim.deliver(started);
        sim.settle();

        assertThat(methodsSent()).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE, SlackMethod.CALLS_END);
        CallOp.AddCall add = (CallOp.AddCall) slack.requests().get(0);
        assertThat(add.users()).containsExactly(ALICE);
        SlackModel.Call shown = slack.callsFor("call-1").get(0);
        assertThat(shown.ended).isTrue();
        assertThat(shown.duration).isEqualTo(42L);
    }

    @Test
    void eventsAfterTheEndDoNotReopenTheCall() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.deliver(call.after(Duration.ofSeconds(5)).ended(30L, null));
        sim.settle();
        int requests = slack.requests().size();

        sim.deliver(call.after(Duration.ofSeconds(5)).joined(CAROL));
        sim.deliver(call.after(Duration.ofSeconds(5)).updated("Renamed", null, null));
        sim.deliver(call.after(Duration.ofSeconds(5)).ended(99L, null));

        assertThat(slack.requests()).hasSize(requests);
        assertThat(slack.callsFor("call-1").get(0).duration).isEqualTo(30L);
        assertThat(slack.adds("call-1")).isEqualTo(1);
    }

    @Test
    void aJoinAndLeaveThatCancelOutWhileAnOperationIsInFlightSendNothing() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        assertThat(sim.pendingOp("call-1")).isInstanceOf(CallOp.PostCallBlock.class);

        sim.deliver(call.after(Duration.ofSeconds(1)).joined(BOB));
        sim.deliver(call.after(Duration.ofSeconds(1)).left(BOB));
        sim.settle();

        assertThat(methodsSent()).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE);
    }

    @Test
    void participantChangesDuringAnOperationGoOutAsOneNetDifference() {
        sim.deliver(call.started("https://pbx.example/j/1", null, null, List.of(ALICE)));
        sim.answer("call-1");
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(BOB));
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(CAROL));
        sim.deliver(call.after(Duration.ofSeconds(1)).left(ALICE));
        sim.answer("call-1");

        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.AddParticipants.class,
                add -> assertThat(add.users()).containsExactly(BOB, CAROL));
        sim.answer("call-1");
        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.RemoveParticipants.class,
                remove -> assertThat(remove.users()).containsExactly(ALICE));
    }

    @Test
    void anOlderEventDoesNotOverwriteANewerOne() {
        CallEvent started = call.started("https://pbx.example/j/1", "First", null, List.of());
        CallEvent renamed = call.after(Duration.ofSeconds(1)).updated("Second", null, null);
        CallEvent renamedAgain = call.after(Duration.ofSeconds(1)).updated("Third", null, null);
        sim.deliver(started);
        sim.deliver(renamedAgain);
        sim.deliver(renamed);
        sim.settle();

        assertThat(slack.callsFor("call-1").get(0).title).isEqualTo("Third");
    }

    @Test
    void timeOrdersEventsWhenTheProviderSendsNoSequence() {
        CallEvents unsequenced = CallEvents.unsequenced("call-2", "pbx-us", T0);
        CallEvent started = unsequenced.started("https://pbx.example/j/2");
        CallEvent joined = unsequenced.after(Duration.ofMillis(300)).joined(BOB);
        CallEvent left = unsequenced.after(Duration.ofMillis(300)).left(BOB);
        sim.deliver(started);
        sim.deliver(left);
        sim.deliver(joined);
        sim.settle();

        assertThat(slack.callsFor("call-2").get(0).users).isEmpty();
        assertThat(slack.requests()).extracting(CallOp::method)
                .doesNotContain(SlackMethod.CALLS_PARTICIPANTS_ADD, SlackMethod.CALLS_PARTICIPANTS_REMOVE);
    }

    @Test
    void aRateLimitedOrRetryingResultKeepsTheOperationInFlight() {
        Reconciler reconciler = new Reconciler(settings);
        Decision started = reconciler.onEvent(null, call.started("https://pbx.example/j/1"), T0);
        CallOp add = started.ops().get(0);

        Decision limited = reconciler.onResult(started.state(),
                new OpResult.RateLimited(add.opId(), "call-1", add.method(), 1, Duration.ofSeconds(20)), T0);
        Decision joined = reconciler.onEvent(limited.state(), call.joined(ALICE), T0);
        Decision retrying = reconciler.onResult(joined.state(),
                new OpResult.Retrying(add.opId(), "call-1", add.method(), 2, "service_unavailable"), T0);

        assertThat(limited.ops()).isEmpty();
        assertThat(joined.ops()).as("one operation in flight per call").isEmpty();
        assertThat(retrying.ops()).isEmpty();
        assertThat(retrying.state().inFlight().op()).isEqualTo(add);
        assertThat(retrying.state().inFlight().attempts()).isEqualTo(2);
        assertThat(retrying.state().inFlight().lastError()).isEqualTo("service_unavailable");
    }

    @Test
    void aResultForAnOperationNoLongerInFlightIsIgnored() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        CallOp add = sim.pendingOp("call-1");
        sim.answer("call-1");
        CallState afterAdd = sim.state("call-1");

        Decision decision = sim.deliverResult(
                new OpResult.Succeeded(add.opId(), "call-1", SlackMethod.CALLS_ADD, 1, "R999", null, null, null));

        assertThat(decision.outcome()).isEqualTo(Outcome.STALE_RESULT);
        assertThat(decision.stateChanged()).isFalse();
        assertThat(decision.ops()).isEmpty();
        assertThat(sim.state("call-1")).isEqualTo(afterAdd);
        assertThat(sim.state("call-1").observed().slackCallId()).isEqualTo("R1");
    }

    @Test
    void aResultForAnUnknownCallIsIgnored() {
        Decision decision = new Reconciler(settings).onResult(null,
                new OpResult.Succeeded("ghost:1:calls.add", "ghost", SlackMethod.CALLS_ADD, 1, "R1", null, null, null), T0);
        assertThat(decision.outcome()).isEqualTo(Outcome.UNKNOWN_CALL);
        assertThat(decision.stateChanged()).isFalse();
    }

    @Test
    void opIdsAreDeterministicForTheSameHistory() {
        List<CallEvent> history = List.of(call.started("https://pbx.example/j/1"),
                call.after(Duration.ofSeconds(1)).joined(ALICE), call.after(Duration.ofSeconds(1)).ended());
        List<CallOp> first = runAll(history);
        List<CallOp> second = runAll(history);
        assertThat(second).isEqualTo(first);
        // The incarnation is the moment the call's state was born, in base 36 milliseconds.
        assertThat(first.get(0).opId()).matches("call-1:[0-9a-z]+:1:calls\\.add");
    }

    private List<CallOp> runAll(List<CallEvent> history) {
        Simulation run = Simulation.reliable(settings, new SlackModel(), T0);
        history.forEach(e -> {
            run.deliver(e);
            run.settle();
        });
        return run.emitted();
    }

    @Test
    void aCallAddRefusedForGoodMarksTheCallFailedAndStopsThere() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        CallOp add = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(add.opId(), "call-1", add.method(), 1, "invalid_arguments", false));
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(ALICE));
        sim.deliver(call.after(Duration.ofSeconds(1)).ended());

        CallState state = sim.state("call-1");
        assertThat(state.phase()).isEqualTo(CallState.Phase.FAILED);
        assertThat(state.lastFailure().error()).isEqualTo("invalid_arguments");
        assertThat(state.inFlight()).isNull();
        assertThat(sim.emitted()).hasSize(1);
    }

    @Test
    void participantsSlackRefusesAreNotOfferedAgain() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.settle();
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(Participant.slackUser("U0GONE")));
        CallOp add = sim.pendingOp("call-1");
        assertThat(add).isInstanceOf(CallOp.AddParticipants.class);
        sim.deliverResult(new OpResult.Failed(add.opId(), "call-1", add.method(), 1, "user_not_found", false));
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(ALICE));

        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.AddParticipants.class,
                next -> assertThat(next.users()).containsExactly(ALICE));
        assertThat(sim.state("call-1").observed().rejected()).containsExactly("slack:U0GONE");
    }

    @Test
    void aRefusedBatchIsRetriedOnePersonAtATimeSoOnlyTheUnknownOneStaysOff() {
        Participant gone = Participant.slackUser("U0GONE");
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(gone));
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(ALICE));
        sim.answer("call-1");
        sim.answer("call-1");
        CallOp batch = sim.pendingOp("call-1");
        assertThat(((CallOp.AddParticipants) batch).users()).containsExactly(ALICE, gone);
        sim.deliverResult(new OpResult.Failed(batch.opId(), "call-1", batch.method(), 1, "user_not_found", false));

        CallOp first = sim.pendingOp("call-1");
        assertThat(((CallOp.AddParticipants) first).users()).containsExactly(ALICE);
        sim.answer("call-1");
        CallOp second = sim.pendingOp("call-1");
        assertThat(((CallOp.AddParticipants) second).users()).containsExactly(gone);
        sim.deliverResult(new OpResult.Failed(second.opId(), "call-1", second.method(), 1, "user_not_found", false));

        assertThat(sim.pendingOp("call-1")).isNull();
        assertThat(sim.state("call-1").observed().participants()).containsOnlyKeys(ALICE.key());
        assertThat(sim.state("call-1").observed().rejected()).containsExactly(gone.key());
        assertThat(sim.state("call-1").observed().isolated()).isEmpty();
    }

    @Test
    void aBlockPostRefusedForGoodDoesNotHoldUpTheCall() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        CallOp post = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(post.opId(), "call-1", post.method(), 1, "channel_not_found", false));
        sim.deliver(call.after(Duration.ofSeconds(1)).ended());
        sim.settle();

        assertThat(sim.state("call-1").observed().block()).isEqualTo(BlockStatus.FAILED);
        assertThat(slack.callsFor("call-1").get(0).ended).isTrue();
    }

    @Test
    void aRedrivenParticipantsAddOffersTheRefusedPersonAgain() {
        Participant gone = Participant.slackUser("U0GONE");
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.settle();
        sim.deliver(call.after(Duration.ofSeconds(1)).joined(gone));
        CallOp refused = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(refused.opId(), "call-1", refused.method(), 1, "user_not_found", false));
        assertThat(sim.pendingOp("call-1")).isNull();

        sim.deliverResult(OpResult.Redriven.of(refused, "slack.call-ops.dlt/0/1"));

        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.AddParticipants.class, again -> {
            assertThat(again.users()).containsExactly(gone);
            assertThat(again.opId()).isNotEqualTo(refused.opId());
        });
        assertThat(sim.state("call-1").observed().rejected()).isEmpty();
    }

    @Test
    void aRedrivenBlockPostIsPostedAgainAndARedriveOfNothingFailedChangesNothing() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        CallOp post = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(post.opId(), "call-1", post.method(), 1, "channel_not_found", false));
        CallState failed = sim.state("call-1");

        Decision unchanged = new Reconciler(settings).onResult(failed,
                OpResult.Redriven.of(((CallOp.PostCallBlock) post), "slack.call-ops.dlt/0/2"), T0);
        assertThat(unchanged.ops()).singleElement().isInstanceOf(CallOp.PostCallBlock.class);
        Decision again = new Reconciler(settings).onResult(unchanged.state(),
                OpResult.Redriven.of(((CallOp.PostCallBlock) post), "slack.call-ops.dlt/0/2"), T0);
        assertThat(again.stateChanged()).isFalse();
        assertThat(again.outcome()).isEqualTo(Decision.Outcome.NOTHING_TO_DO);
    }

    @Test
    void aRedrivenCallsEndEndsTheCallAgain() {
        sim.deliver(call.started("https://pbx.example/j/1"));
        sim.settle();
        sim.deliver(call.after(Duration.ofSeconds(30)).ended());
        CallOp end = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(end.opId(), "call-1", end.method(), 8, "internal_error", true));
        assertThat(sim.state("call-1").phase()).isEqualTo(CallState.Phase.ENDED);
        assertThat(slack.callsFor("call-1").get(0).ended).isFalse();

        sim.deliverResult(OpResult.Redriven.of(end, "slack.call-ops.dlt/0/3"));
        sim.settle();

        assertThat(slack.callsFor("call-1").get(0).ended).isTrue();
        assertThat(sim.state("call-1").phase()).isEqualTo(CallState.Phase.ENDED);
    }

    @Test
    void noBlockIsPostedWithoutAChannel() {
        Simulation noChannel = Simulation.reliable(BridgeConfig.defaults().reconciler(), slack, T0);
        noChannel.deliver(call.started("https://pbx.example/j/1"));
        noChannel.deliver(call.after(Duration.ofSeconds(1)).ended());
        noChannel.settle();

        assertThat(methodsSent()).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CALLS_END);
    }

    @Test
    void theStartsChannelAndWorkspaceWinOverTheDefaults() {
        sim.deliver(call.started(new dev.callbridge.model.event.CallEventData.Started("https://pbx.example/j/1",
                null, "705-292-868", "Sales", "U0OWNER", null, "C0SALES", "T0SALES", List.of())));
        CallOp.AddCall add = (CallOp.AddCall) sim.pendingOp("call-1");
        assertThat(add.teamId()).isEqualTo("T0SALES");
        assertThat(add.createdBy()).isEqualTo("U0OWNER");
        assertThat(add.externalDisplayId()).isEqualTo("705-292-868");
        sim.answer("call-1");
        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.PostCallBlock.class,
                post -> assertThat(post.channel()).isEqualTo("C0SALES"));
    }

    @Test
    void theConfiguredCreatorStandsInWhenTheStartNamesNone() {
        Simulation withCreator = Simulation.reliable(Simulation.settings(
                Map.of("slack.default.channel", "C0CALLS", "slack.default.created.by", "U0BRIDGEBOT")), slack, T0);
        withCreator.deliver(call.started("https://pbx.example/j/1"));
        assertThat(((CallOp.AddCall) withCreator.pendingOp("call-1")).createdBy()).isEqualTo("U0BRIDGEBOT");
    }

    @Test
    void theDedupeWindowKeepsOnlyTheMostRecentEventIds() {
        ReconcilerSettings small = Simulation.settings(Map.of("calls.ended.retention", "1d", "calls.dedupe.window", "2"));
        Reconciler reconciler = new Reconciler(small);
        CallState state = reconciler.onEvent(null, call.started("https://pbx.example/j/1"), T0).state();
        state = reconciler.onEvent(state, call.joined(ALICE), T0).state();
        state = reconciler.onEvent(state, call.joined(BOB), T0).state();
        assertThat(state.seenEvents()).containsExactly("6:pbx-eu#call-1-2", "6:pbx-eu#call-1-3");
    }
}
