package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.MessageThread;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.state.CallState;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.WorkspacePartitioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The replies in call blocks' threads through the real bridge, the broker and the Slack emulator: the
 * provider's analysis, posted once however often it comes, and the End call control of a voice-AI call,
 * which shows the call's end once it ended.
 */
class ThreadRepliesEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Instant T0 = Instant.now().minusSeconds(600);
    private static final String VOICE_AI = "urn:callbridge:voice-ai";

    @Test
    void anAnalysisSentTwiceShowsOneReplyAndAVoiceAiCallsControlShowsHowItEnded() {
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-thread-")) {
            BridgeService bridge = rig.startService(rig.settings("one")
                    // The dispatcher never calls the provider: the click handler of the Slack app does.
                    .with("BRIDGE_PROVIDER_API_URL", "http://127.0.0.1:9/provider")
                    .with("BRIDGE_PROVIDER_API_KEY", "e2e-provider-key"));
            CallEvents pbx = CallEvents.sequenced("e2e-thread-pbx", "urn:pbx:acme", T0);
            CallEvents ai = CallEvents.sequenced("e2e-thread-ai", VOICE_AI, T0);
            CallEvent analysis = pbx.after(Duration.ofMinutes(2)).analyzed(
                    "Bob's order arrived damaged <again> & a replacement ships today.", "negative",
                    "https://voice.example.com/rec/e2e.mp3", "https://voice.example.com/tx/e2e.txt");

            rig.send(List.of(
                    pbx.started("https://pbx.example/j/e2e", "Support", null, List.of()),
                    ai.started("https://voice.example.com/c/e2e", "Call with +15550100", null, List.of()),
                    analysis));
            await().atMost(Duration.ofSeconds(60)).pollInterval(SlackExpectations.POLL).until(
                    () -> rig.expect.thread("e2e-thread-ai").map(t -> t.replies().size()).orElse(0) == 1
                            && rig.expect.thread("e2e-thread-pbx").map(t -> t.replies().size()).orElse(0) == 1);
            PostedMessage control = rig.expect.thread("e2e-thread-ai").orElseThrow().replies().get(0);
            assertThat(control.text()).isEqualTo("End this call from Slack");
            assertThat(control.blocks().at("/1/elements/0/action_id").asText()).isEqualTo("bridge_end_call");
            assertThat(control.blocks().at("/1/elements/0/value").asText()).isEqualTo("e2e-thread-ai");

            rig.send(List.of(
                    pbx.after(Duration.ofMinutes(1)).ended(null, "completed"),
                    ai.after(Duration.ofMinutes(4)).ended(null, "Ended from Slack by <@U0AGENT>")));
            await().atMost(Duration.ofSeconds(60)).pollInterval(SlackExpectations.POLL).until(
                    () -> rig.emulator().callsWithExternalId("e2e-thread-pbx").stream().allMatch(CallSnapshot::ended));
            rig.send(analysis);

            await().atMost(Duration.ofSeconds(60)).pollInterval(SlackExpectations.POLL).until(
                    () -> BridgeRig.duplicates(bridge, "call.analyzed") == 1
                            && rig.expect.thread("e2e-thread-ai").orElseThrow().replies().get(0).edits() == 1);

            MessageThread pbxThread = rig.expect.thread("e2e-thread-pbx").orElseThrow();
            assertThat(pbxThread.replies()).singleElement().satisfies(reply -> {
                assertThat(reply.text()).startsWith("Call analysis (negative): Bob's order arrived damaged &lt;again&gt;");
                assertThat(reply.metadata().at("/event_payload/reply").asText()).isEqualTo("analysis");
                assertThat(reply.blocks().toString()).contains("<https://voice.example.com/rec/e2e.mp3|Recording>");
            });
            PostedMessage ended = rig.expect.thread("e2e-thread-ai").orElseThrow().replies().get(0);
            assertThat(ended.ts()).isEqualTo(control.ts());
            assertThat(ended.text()).isEqualTo("Call ended: Ended from Slack by <@U0AGENT>");
            assertThat(ended.blocks().toString()).doesNotContain("bridge_end_call");
            assertThat(rig.emulator().callsWithExternalId("e2e-thread-ai")).singleElement()
                    .satisfies(call -> assertThat(call.ended()).isTrue());
            CallState aiView = rig.views().get("e2e-thread-ai");
            assertThat(aiView.observed().endCallControl().ts()).isEqualTo(control.ts());
            assertThat(aiView.analysisStanding()).isEqualTo(CallState.AnalysisStanding.NONE);
            // One dispatcher paces each workspace: its thread replies and updates go where its calls.add went,
            // here the partition of operations that name no workspace (the rig sets no default one).
            int workspacePartition = new WorkspacePartitioner(null).partition(null, BridgeRig.PARTITIONS);
            List<String> opsElsewhere = rig.committed(rig.topics.callOps().name()).stream()
                    .filter(op -> op.partition() != workspacePartition)
                    .map(op -> op.partition() + ": " + new String(op.value(), StandardCharsets.UTF_8))
                    .toList();
            assertThat(opsElsewhere).as("operations off the workspace's partition %d", workspacePartition).isEmpty();
            assertThat(rig.committed(rig.topics.callOps().name())).as("adds, posts, replies, update, ends")
                    .hasSizeGreaterThanOrEqualTo(9);
            rig.expect.assertNoSlackErrors();
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            assertThat(rig.committed(rig.topics.callEventsDeadLetters().name())).isEmpty();
        }
    }
}
