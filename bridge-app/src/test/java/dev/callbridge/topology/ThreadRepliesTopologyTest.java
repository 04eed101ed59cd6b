package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.ObservedCall.ReplyStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The topology carries the thread's replies: the analysis and the End call control, with their views. */
class ThreadRepliesTopologyTest {

    private static final String VOICE_AI = "urn:callbridge:voice-ai";

    private static TopologyConfig withProvider() {
        return BridgeConfig.defaults(Map.of("events.max.bytes", "4096", "slack.default.channel", "C0CALLS",
                "provider.api.url", "http://127.0.0.1:9/provider", "provider.api.key", "test-provider-key")).topology();
    }

    private static List<Class<?>> kinds(List<CallOp> ops) {
        return ops.stream().<Class<?>>map(Object::getClass).toList();
    }

    @Test
    void anAnalysisSentTwiceOnceBeforeTheEndBecomesOneReplyInTheBlocksThread() {
        try (TopologyFixture bridge = new TopologyFixture(withProvider())) {
            CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", TopologyFixture.START);
            CallEvent analysis = call.after(Duration.ofSeconds(50))
                    .analyzed("Asked for a refund & got it.", "positive", null, "https://voice.example.com/tx/1");
            bridge.send(call.started("https://pbx.example/j/1"));
            bridge.answerOps();
            bridge.send(analysis);
            bridge.answerOps();
            bridge.send(call.after(Duration.ofSeconds(10)).ended());
            bridge.answerOps();
            bridge.sendBinary(analysis);
            bridge.answerOps();

            List<CallOp> ops = bridge.allOps();
            assertThat(kinds(ops)).containsExactly(CallOp.AddCall.class, CallOp.PostCallBlock.class,
                    CallOp.PostAnalysis.class, CallOp.EndCall.class);
            CallState view = bridge.latestViews().get("call-1");
            assertThat(view.observed().blockMessage().channel()).isEqualTo("C0CALLS");
            CallOp.PostAnalysis reply = (CallOp.PostAnalysis) ops.get(2);
            assertThat(reply.threadTs()).isEqualTo(view.observed().blockMessage().ts());
            assertThat(reply.summary()).isEqualTo("Asked for a refund & got it.");
            assertThat(view.observed().analysisReply().status()).isEqualTo(ReplyStatus.POSTED);
            assertThat(view.desired().analysis().transcriptUrl()).isEqualTo("https://voice.example.com/tx/1");
            assertThat(bridge.storedState("call-1")).isEqualTo(view);
        }
    }

    @Test
    void anAnalysisAfterTheCallEndedInSlackIsStillPostedAndWritesANewView() {
        try (TopologyFixture bridge = new TopologyFixture(withProvider())) {
            CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", TopologyFixture.START);
            bridge.send(call.started("https://pbx.example/j/1"));
            bridge.send(call.after(Duration.ofSeconds(30)).ended());
            bridge.answerOps();
            bridge.latestViews();

            bridge.send(call.after(Duration.ofMinutes(2)).analyzed(null, "neutral", null, null));

            List<CallOp> afterTheEnd = bridge.newOps();
            assertThat(afterTheEnd).singleElement().isInstanceOf(CallOp.PostAnalysis.class);
            bridge.results.pipeInput("call-1", bridge.success(afterTheEnd.get(0)));
            assertThat(bridge.newOps()).isEmpty();
            CallState view = bridge.latestViews().get("call-1");
            assertThat(view.phase()).isEqualTo(CallState.Phase.ENDED);
            assertThat(view.observed().analysisReply().status()).isEqualTo(ReplyStatus.POSTED);
        }
    }

    @Test
    void aProviderCallsControlIsPostedAfterTheBlockAndUpdatedOnceTheCallEnded() {
        try (TopologyFixture bridge = new TopologyFixture(withProvider())) {
            CallEvents call = CallEvents.sequenced("call-1", VOICE_AI, TopologyFixture.START);
            bridge.send(call.started("https://voice.example.com/c/1"));
            bridge.answerOps();
            CallState live = bridge.latestViews().get("call-1");
            bridge.send(call.after(Duration.ofMinutes(4)).ended(null, "customer hung up"));
            bridge.answerOps();

            List<CallOp> ops = bridge.allOps();
            assertThat(kinds(ops)).containsExactly(CallOp.AddCall.class, CallOp.PostCallBlock.class,
                    CallOp.PostEndCallControl.class, CallOp.EndCall.class, CallOp.ShowCallEnded.class);
            assertThat(live.observed().endCallControl().status()).isEqualTo(ReplyStatus.POSTED);
            CallOp.ShowCallEnded update = (CallOp.ShowCallEnded) ops.get(4);
            assertThat(update.ts()).isEqualTo(live.observed().endCallControl().ts());
            assertThat(update.reason()).isEqualTo("customer hung up");
            assertThat(bridge.latestViews().get("call-1").observed().endCallControl().status())
                    .isEqualTo(ReplyStatus.ENDED_SHOWN);
        }
    }

    @Test
    void anAnalysisWithNothingInItIsDeadLetteredWithItsReason() {
        try (TopologyFixture bridge = new TopologyFixture(withProvider())) {
            bridge.sendRaw("call-1", """
                    {"specversion":"1.0","id":"e-9","source":"urn:callbridge:voice-ai","type":"call.analyzed",
                     "subject":"call-1","time":"2026-03-02T09:10:00Z","data":{"summary":"  "}}"""
                    .getBytes(StandardCharsets.UTF_8));

            DeadLetter dead = DeadLetter.from(bridge.eventDeadLetters.readRecord().headers()).orElseThrow();
            assertThat(dead.reason()).isEqualTo("missing_field");
            assertThat(dead.detail()).contains("call.analyzed needs at least one of summary, sentiment");
            assertThat(bridge.newOps()).isEmpty();
        }
    }
}
