package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.e2e.BridgeRig;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.MessageThread;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.ObservedCall.ReplyStatus;
import dev.callbridge.service.BridgeService;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The analysis reply when its answer is lost: the dispatcher on a real broker, the official SDK and the
 * emulator. Whether the lost post reached Slack or not, the thread ends up with the reply once.
 */
class ThreadReplyDispatchOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final JsonSerde<OpResult> RESULTS = new JsonSerde<>(OpResult.class);

    private BridgeRig rig;
    private BridgeService bridge;

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    /** Loses the answer of the first analysis post, after Slack took it or before it got there. */
    private static SlackClient losingTheFirstAnalysisAnswer(SlackClient slack, boolean reachesSlack) {
        AtomicBoolean lost = new AtomicBoolean();
        return op -> {
            if (op instanceof CallOp.PostAnalysis && lost.compareAndSet(false, true)) {
                if (reachesSlack) {
                    slack.send(op);
                }
                return new SlackAnswer.NoAnswer("SocketTimeoutException: timeout");
            }
            return slack.send(op);
        };
    }

    private CallState runOneAnalyzedCall(String call, boolean reachesSlack) {
        bridge = rig.startService(rig.settings("0"), slack -> losingTheFirstAnalysisAnswer(slack, reachesSlack));
        CallEvents events = CallEvents.sequenced(call, "pbx-test", T0);
        rig.send(List.of(
                events.started("https://pbx.example/j/" + call, "Escalation", null, List.of()),
                events.after(Duration.ofMinutes(3)).analyzed("Refund agreed.", "positive", null, null)));
        return await().atMost(Duration.ofSeconds(60)).until(() -> rig.views().get(call),
                v -> v != null && v.observed().analysisReply() != null && v.inFlight() == null);
    }

    private double checked(String outcome) {
        Counter counter = bridge.metrics().registry().find("bridge.thread.replies.checked")
                .tag("reply", "analysis").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The results of the call's third operation: after calls.add and the block, its analysis reply. */
    private List<OpResult> analysisResults(String call) {
        return rig.committed(rig.topics.callResults().name()).stream()
                .map(record -> RESULTS.fromBytes(record.value()))
                .filter(result -> result.opId().startsWith(call + ":") && result.opId().endsWith(":3:chat.postMessage"))
                .toList();
    }

    @Test
    void aReplyPostedWhoseAnswerWasLostIsFoundInTheThreadAndNotPostedAgain() {
        rig = BridgeRig.start(KAFKA, "lost-reply-");

        CallState view = runOneAnalyzedCall("lost-reply-call", true);

        assertThat(view.observed().analysisReply().status()).isEqualTo(ReplyStatus.POSTED);
        MessageThread thread = rig.emulator().thread(DemoWorkspace.CHANNEL, view.observed().blockMessage().ts())
                .orElseThrow();
        assertThat(thread.replies()).singleElement().satisfies(reply -> {
            assertThat(reply.ts()).isEqualTo(view.observed().analysisReply().ts());
            assertThat(reply.metadata().at("/event_payload/external_unique_id").asText()).isEqualTo("lost-reply-call");
        });
        assertThat(rig.emulator().stats().of(ApiMethod.CONVERSATIONS_REPLIES).requests()).isEqualTo(1);
        assertThat(checked("already_posted")).isEqualTo(1);
        List<OpResult> results = analysisResults("lost-reply-call");
        assertThat(results).hasSize(2);
        assertThat(results.get(0)).isInstanceOfSatisfying(OpResult.Retrying.class,
                retrying -> assertThat(retrying.error()).startsWith("no_answer"));
        assertThat(results.get(1)).isInstanceOfSatisfying(OpResult.Succeeded.class, ok -> {
            assertThat(ok.note()).isEqualTo(Decider.ALREADY_POSTED);
            assertThat(ok.messageTs()).isEqualTo(thread.replies().get(0).ts());
        });
        assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
    }

    @Test
    void aReplyWhoseLostPostNeverReachedSlackIsPostedOnceAfterTheLook() {
        rig = BridgeRig.start(KAFKA, "unsent-reply-");

        CallState view = runOneAnalyzedCall("unsent-reply-call", false);

        List<PostedMessage> replies = rig.emulator().thread(DemoWorkspace.CHANNEL, view.observed().blockMessage().ts())
                .orElseThrow().replies();
        assertThat(replies).singleElement()
                .satisfies(reply -> assertThat(reply.ts()).isEqualTo(view.observed().analysisReply().ts()));
        assertThat(checked("not_posted")).isEqualTo(1);
        assertThat(checked("already_posted")).isZero();
        assertThat(rig.emulator().stats().of(ApiMethod.CHAT_POST_MESSAGE).requests()).isEqualTo(2);
    }
}
