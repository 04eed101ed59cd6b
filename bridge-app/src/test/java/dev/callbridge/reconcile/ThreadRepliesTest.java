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
import dev.callbridge.model.state.CallState.AnalysisStanding;
import dev.callbridge.model.state.ObservedCall.ReplyStatus;
import dev.callbridge.reconcile.Decision.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replies in a call block's thread: the provider's analysis, and the End call control. */
class ThreadRepliesTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final String VOICE_AI = "urn:callbridge:voice-ai";
    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Map<String, String> WITH_PROVIDER = Map.of("slack.default.channel", "C0CALLS",
            "provider.api.url", "https://api.voice.example.com", "provider.api.key", "test-provider-key");

    private final SlackModel slack = new SlackModel();
    private Simulation sim = Simulation.reliable(Simulation.settings(WITH_PROVIDER), slack, T0);
    private final CallEvents pbxCall = CallEvents.sequenced("call-1", "pbx-eu", T0);
    private final CallEvents aiCall = CallEvents.sequenced("call-1", VOICE_AI, T0);

    private List<SlackMethod> methodsSent() {
        return slack.requests().stream().map(CallOp::method).toList();
    }

    private List<CallOp.PostAnalysis> analysesPosted() {
        return slack.requests().stream().filter(CallOp.PostAnalysis.class::isInstance)
                .map(CallOp.PostAnalysis.class::cast).toList();
    }

    private SlackModel.Call shown() {
        return slack.callsFor("call-1").get(0);
    }

    private static CallEvent analyzed(CallEvents call, String summary) {
        return call.analyzed(summary, "positive", "https://voice.example.com/rec/1.mp3",
                "https://voice.example.com/tx/1.txt");
    }

    @Test
    void anAnalysisDuringTheCallIsPostedOnceInTheBlocksThreadAndItsRepeatsChangeNothing() {
        sim.deliver(pbxCall.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        sim.settle();
        CallEvent analysis = analyzed(pbxCall.after(Duration.ofSeconds(30)), "Moved the delivery to Friday.");
        sim.deliver(analysis);
        sim.settle();
        Decision repeat = new Reconciler(Simulation.settings(WITH_PROVIDER))
                .onEvent(sim.state("call-1"), analysis, sim.now());
        sim.deliver(analysis);
        sim.deliver(pbxCall.after(Duration.ofSeconds(10)).ended());
        sim.settle();

        assertThat(repeat.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(methodsSent()).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE,
                SlackMethod.CHAT_POST_MESSAGE, SlackMethod.CALLS_END);
        assertThat(analysesPosted()).singleElement().satisfies(post -> {
            assertThat(post.threadTs()).isEqualTo(shown().blockTs);
            assertThat(post.channel()).isEqualTo(SlackModel.CHANNEL);
            assertThat(post.summary()).isEqualTo("Moved the delivery to Friday.");
            assertThat(post.recordingUrl()).isEqualTo("https://voice.example.com/rec/1.mp3");
            assertThat(post.lookFirst()).isFalse();
        });
        CallState state = sim.state("call-1");
        assertThat(state.observed().analysisReply().status()).isEqualTo(ReplyStatus.POSTED);
        assertThat(state.observed().analysisReply().ts()).isNotEqualTo(shown().blockTs);
        assertThat(state.analysisStanding()).isEqualTo(AnalysisStanding.POSTED);
        assertThat(slack.violations()).isEmpty();
    }

    @Test
    void anAnalysisAfterTheEndIsPostedWhileLaterEventsStillChangeNothing() {
        sim.deliver(pbxCall.started("https://pbx.example/j/1"));
        sim.deliver(pbxCall.after(Duration.ofSeconds(40)).ended(null, "caller hung up"));
        sim.settle();
        int before = slack.requests().size();

        Decision analysis = sim.deliver(analyzed(pbxCall.after(Duration.ofSeconds(90)), "Short call."));
        sim.settle();
        sim.deliver(pbxCall.after(Duration.ofSeconds(5)).joined(ALICE));
        sim.deliver(pbxCall.after(Duration.ofSeconds(5)).updated("Renamed", null, null));

        assertThat(analysis.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(slack.requests().subList(before, slack.requests().size()))
                .singleElement().isInstanceOf(CallOp.PostAnalysis.class);
        assertThat(sim.state("call-1").phase()).isEqualTo(CallState.Phase.ENDED);
        assertThat(sim.emitted()).filteredOn(CallOp.AddCall.class::isInstance).hasSize(1);
        assertThat(slack.violations()).isEmpty();
    }

    @Test
    void anAnalysisBeforeTheStartIsHeldUntilTheCallAndItsBlockExist() {
        CallEvent started = pbxCall.started("https://pbx.example/j/1");
        sim.deliver(analyzed(pbxCall.after(Duration.ofMinutes(5)), "Early word."));

        assertThat(sim.emitted()).isEmpty();
        assertThat(sim.state("call-1").analysisStanding()).isEqualTo(AnalysisStanding.WAITING_FOR_START);

        sim.deliver(started);
        sim.settle();
        assertThat(slack.requests()).extracting(CallOp::getClass)
                .containsExactly(CallOp.AddCall.class, CallOp.PostCallBlock.class, CallOp.PostAnalysis.class);
    }

    @Test
    void ofTwoAnalysesTheLaterInEventOrderIsPostedWhateverTheirArrivalAndNoneAfterThePost() {
        for (boolean laterArrivesFirst : List.of(true, false)) {
            SlackModel slackModel = new SlackModel();
            Simulation run = Simulation.reliable(Simulation.settings(WITH_PROVIDER), slackModel, T0);
            CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", T0);
            CallEvent started = call.started("https://pbx.example/j/1");
            CallEvent first = analyzed(call.after(Duration.ofMinutes(1)), "First draft.");
            CallEvent second = analyzed(call.after(Duration.ofMinutes(1)), "Final analysis.");
            run.deliver(started);
            // calls.add is in flight: both analyses wait for the block.
            run.deliver(laterArrivesFirst ? second : first);
            run.deliver(laterArrivesFirst ? first : second);
            run.settle();

            Decision afterThePost = run.deliver(analyzed(call.after(Duration.ofMinutes(1)), "Too late."));
            run.settle();

            assertThat(slackModel.requests()).filteredOn(CallOp.PostAnalysis.class::isInstance).singleElement()
                    .satisfies(post -> assertThat(((CallOp.PostAnalysis) post).summary()).isEqualTo("Final analysis."));
            assertThat(afterThePost.outcome()).isEqualTo(Outcome.IGNORED_LATE);
            assertThat(run.state("call-1").desired().analysis().summary()).isEqualTo("Final analysis.");
            assertThat(slackModel.violations()).isEmpty();
        }
    }

    @Test
    void withoutAChannelThereIsNoBlockAndNoReplyAndTheViewSaysWhy() {
        sim = Simulation.reliable(Simulation.settings(Map.of()), slack, T0);
        sim.deliver(pbxCall.started("https://pbx.example/j/1"));
        sim.deliver(analyzed(pbxCall.after(Duration.ofMinutes(1)), "Nobody will see this."));
        sim.settle();

        assertThat(methodsSent()).containsExactly(SlackMethod.CALLS_ADD);
        assertThat(sim.state("call-1").analysisStanding()).isEqualTo(AnalysisStanding.NO_CHANNEL);
    }

    @Test
    void aRefusedBlockLeavesNoThreadToReplyIn() {
        sim.deliver(pbxCall.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        CallOp post = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(post.opId(), "call-1", post.method(), 1, "channel_not_found", false));
        sim.deliver(analyzed(pbxCall.after(Duration.ofMinutes(1)), "Nowhere to go."));
        sim.settle();

        assertThat(sim.emitted()).noneMatch(CallOp.PostAnalysis.class::isInstance);
        assertThat(sim.state("call-1").analysisStanding()).isEqualTo(AnalysisStanding.NO_BLOCK);
    }

    @Test
    void aBlockFoundPostedAfterALostAnswerHasNoKnownThreadSoNoReplyIsRisked() {
        sim.deliver(pbxCall.started("https://pbx.example/j/1"));
        sim.answer("call-1");
        CallOp post = sim.loseAnswer("call-1", true);
        // The dispatcher's calls.info check found the block in the channel: the post is done, its ts unknown.
        sim.deliverResult(new OpResult.Succeeded(post.opId(), "call-1", post.method(), 2, null, null, null,
                "already_posted"));
        sim.deliver(analyzed(pbxCall.after(Duration.ofMinutes(1)), "Lost in the crash."));
        sim.settle();

        assertThat(sim.emitted()).noneMatch(CallOp.PostAnalysis.class::isInstance);
        assertThat(sim.state("call-1").analysisStanding()).isEqualTo(AnalysisStanding.BLOCK_UNKNOWN);
    }

    @Test
    void aReplyWhoseAnswerNeverCameIsLookedForBeforeItIsPostedAgain() {
        Duration timeout = BridgeConfig.defaults().reconciler().opTimeout();
        sim.deliver(pbxCall.started("https://pbx.example/j/1"));
        sim.settle();
        sim.deliver(analyzed(pbxCall.after(Duration.ofMinutes(1)), "Posted, answer lost."));
        CallOp lost = sim.loseAnswer("call-1", true);

        Decision recovered = sim.sweep("call-1", sim.now().plus(timeout).plusSeconds(1));

        assertThat(recovered.outcome()).isEqualTo(Outcome.RECOVERED);
        CallOp.PostAnalysis again = (CallOp.PostAnalysis) recovered.ops().get(0);
        assertThat(again.lookFirst()).isTrue();
        assertThat(again.opId()).isNotEqualTo(lost.opId());
        assertThat(sim.state("call-1").analysisStanding()).isEqualTo(AnalysisStanding.SENDING);
        assertThat(sim.state("call-1").observed().analysisReply().status()).isEqualTo(ReplyStatus.MAYBE_POSTED);

        // The dispatcher found the first post in the thread and did not post again.
        sim.deliverResult(new OpResult.Succeeded(again.opId(), "call-1", again.method(), 1, null, "1700000000.000777",
                SlackModel.CHANNEL, "already_posted"));

        assertThat(sim.state("call-1").observed().analysisReply())
                .satisfies(reply -> {
                    assertThat(reply.status()).isEqualTo(ReplyStatus.POSTED);
                    assertThat(reply.ts()).isEqualTo("1700000000.000777");
                });
        assertThat(analysesPosted()).hasSize(1);
        assertThat(sim.hasPending()).isFalse();
    }

    @Test
    void anAnalysisSlackRefusedIsNotTriedAgainUntilItIsRedriven() {
        sim.deliver(pbxCall.started("https://pbx.example/j/1"));
        sim.settle();
        sim.deliver(analyzed(pbxCall.after(Duration.ofMinutes(1)), "Thread deleted."));
        CallOp refused = sim.pendingOp("call-1");
        sim.deliverResult(new OpResult.Failed(refused.opId(), "call-1", refused.method(), 1, "thread_not_found", false));

        assertThat(sim.state("call-1").analysisStanding()).isEqualTo(AnalysisStanding.FAILED);
        assertThat(sim.state("call-1").observed().analysisReply().error()).isEqualTo("thread_not_found");
        assertThat(sim.hasPending()).isFalse();

        sim.deliverResult(OpResult.Redriven.of(refused, "slack.call-ops.dlt/0/7"));

        assertThat(sim.pendingOp("call-1")).isInstanceOfSatisfying(CallOp.PostAnalysis.class,
                post -> assertThat(post.summary()).isEqualTo("Thread deleted."));
    }

    @Test
    void aProviderCallGetsTheEndCallControlAfterItsBlockWhichShowsTheEndOnceSlackHasIt() {
        sim.deliver(aiCall.started("https://voice.example.com/c/1", "Support", null, List.of(ALICE)));
        sim.settle();

        assertThat(slack.requests()).extracting(CallOp::getClass)
                .containsExactly(CallOp.AddCall.class, CallOp.PostCallBlock.class, CallOp.PostEndCallControl.class);
        CallOp.PostEndCallControl control = (CallOp.PostEndCallControl) slack.requests().get(2);
        assertThat(control.threadTs()).isEqualTo(shown().blockTs);
        assertThat(sim.state("call-1").observed().endCallControl().ts()).isEqualTo(shown().controlTs);
        assertThat(shown().controlShows).isNull();

        sim.deliver(aiCall.after(Duration.ofMinutes(3)).ended(null, "Ended from Slack by <@U0ALICE>"));
        sim.settle();

        assertThat(methodsSent().subList(3, methodsSent().size()))
                .containsExactly(SlackMethod.CALLS_END, SlackMethod.CHAT_UPDATE);
        assertThat(shown().controlShows).isEqualTo("Call ended: Ended from Slack by <@U0ALICE>");
        assertThat(sim.state("call-1").observed().endCallControl().status()).isEqualTo(ReplyStatus.ENDED_SHOWN);
        assertThat(slack.violations()).isEmpty();
    }

    @Test
    void callsFromOtherSourcesOrWithoutTheProvidersApiGetNoControl() {
        sim.deliver(pbxCall.started("https://pbx.example/j/1"));
        sim.settle();
        SlackModel withoutApi = new SlackModel();
        Simulation plain = Simulation.reliable(Simulation.settings(Map.of("slack.default.channel", "C0CALLS")),
                withoutApi, T0);
        plain.deliver(CallEvents.sequenced("call-1", VOICE_AI, T0).started("https://voice.example.com/c/1"));
        plain.settle();

        assertThat(slack.requests()).noneMatch(CallOp.PostEndCallControl.class::isInstance);
        assertThat(withoutApi.requests()).noneMatch(CallOp.PostEndCallControl.class::isInstance);
    }

    @Test
    void aCallAlreadyEndingWhenItsBlockIsUpGetsNoControl() {
        sim.deliver(aiCall.started("https://voice.example.com/c/1"));
        sim.deliver(aiCall.after(Duration.ofSeconds(20)).ended());
        sim.settle();

        assertThat(methodsSent()).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE,
                SlackMethod.CALLS_END);
        assertThat(sim.state("call-1").observed().endCallControl()).isNull();
    }

    @Test
    void theControlShowsTheEndWhenTheSweeperEndsTheCallAndWithoutAReasonWhenSlackSaysItEnded() {
        Duration staleAfter = BridgeConfig.defaults().reconciler().staleAfter();
        sim.deliver(aiCall.started("https://voice.example.com/c/1"));
        sim.settle();

        sim.sweep("call-1", sim.now().plus(staleAfter).plusSeconds(1));
        sim.settle();

        assertThat(shown().controlShows).startsWith("Call ended: no event for PT12H");

        SlackModel other = new SlackModel();
        Simulation ended = Simulation.reliable(Simulation.settings(WITH_PROVIDER), other, T0);
        CallEvents call = CallEvents.sequenced("call-2", VOICE_AI, T0);
        ended.deliver(call.started("https://voice.example.com/c/2"));
        ended.settle();
        ended.deliver(call.after(Duration.ofSeconds(5)).joined(ALICE));
        CallOp join = ended.pendingOp("call-2");
        ended.deliverResult(new OpResult.Succeeded(join.opId(), "call-2", join.method(), 1, null, null, null,
                "inactive_call"));

        assertThat(ended.pendingOp("call-2")).isInstanceOfSatisfying(CallOp.ShowCallEnded.class,
                update -> assertThat(update.reason()).isNull());
    }

    @Test
    void aControlWhoseAnswerWasLostIsLookedForThenShowsTheEnd() {
        Duration timeout = BridgeConfig.defaults().reconciler().opTimeout();
        sim.deliver(aiCall.started("https://voice.example.com/c/1"));
        sim.answer("call-1");
        sim.answer("call-1");
        CallOp lost = sim.loseAnswer("call-1", true);
        sim.deliver(aiCall.after(Duration.ofMinutes(2)).ended(null, "caller hung up"));

        Decision recovered = sim.sweep("call-1", sim.now().plus(timeout).plusSeconds(1));
        CallOp.PostEndCallControl again = (CallOp.PostEndCallControl) recovered.ops().get(0);
        assertThat(again.lookFirst()).isTrue();
        sim.deliverResult(new OpResult.Succeeded(again.opId(), "call-1", again.method(), 1, null, shown().controlTs,
                SlackModel.CHANNEL, "already_posted"));
        sim.settle();

        assertThat(lost).isInstanceOf(CallOp.PostEndCallControl.class);
        assertThat(slack.requests()).filteredOn(CallOp.PostEndCallControl.class::isInstance).hasSize(1);
        assertThat(shown().controlShows).isEqualTo("Call ended: caller hung up");
        assertThat(slack.violations()).isEmpty();
    }
}
