package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.testkit.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.tools.StreamsResetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §4.9: a full application reset with Kafka's own reset tool, local state wiped, and the input
 * replayed from the earliest offset. The bridge takes each call up again from its last view in
 * {@code slack.calls}: no call is added twice, and Slack sees no request at all.
 */
class ResetReplayEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void afterAFullResetAndAReplayFromTheStartSlackSeesNoRequest() throws Exception {
        CallScenario ended = CallScenario.lifecycles("e2e-reset-ended-", 6);
        CallScenario live = CallScenario.lifecycles("e2e-reset-live-", 4).withoutEnds();
        List<ExpectedCall> expected = new ArrayList<>(ended.expected());
        expected.addAll(live.expected());
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-reset-")) {
            BridgeSettings env = rig.settings("one");
            BridgeService first = rig.startService(env);
            rig.send(ended.inOrder());
            rig.send(live.inOrder());
            rig.expect.awaitConverged(expected);
            rig.stopService(first);
            EmulatorStats before = rig.emulator().stats();
            List<CallSnapshot> slackBefore = rig.emulator().calls();

            Path stateDir = BridgeRig.config(env).stateDir();
            assertThat(stateDir).isNotEmptyDirectory();
            String applicationId = BridgeRig.config(env).applicationId();
            Process reset = resetTool(rig, applicationId,
                    rig.topics.callEvents().name() + "," + rig.topics.callResults().name());
            assertThat(reset.waitFor(120, TimeUnit.SECONDS)).as("reset tool finished").isTrue();
            assertThat(reset.exitValue()).as("reset tool exit code; its output: %s", Files.readString(rig.log("reset")))
                    .isZero();
            TempDirs.deleteRecursively(stateDir);

            BridgeService second = rig.startService(env);
            await().atMost(Duration.ofSeconds(90)).pollInterval(SlackExpectations.POLL)
                    .until(() -> ReplayEndToEndTest.inputConsumed(rig, applicationId));
            // Give the dispatcher time to send anything the replay might have produced.
            Thread.sleep(2_000);

            assertThat(recovered(second)).as("calls taken up from slack.calls").isEqualTo(expected.size());
            EmulatorStats after = rig.emulator().stats();
            assertThat(after.methods()).as("Slack requests per method").isEqualTo(before.methods());
            assertThat(after.duplicateCallsAdd()).isZero();
            assertThat(rig.emulator().calls()).as("Slack's calls").containsExactlyInAnyOrderElementsOf(slackBefore);
        }
    }

    /** Kafka's Streams application reset tool, run as operators run it: its own JVM, its own exit code. */
    private static Process resetTool(BridgeRig rig, String applicationId, String inputTopics) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StreamsResetter.class.getName(),
                "--bootstrap-server", rig.bootstrapServers(),
                "--application-id", applicationId,
                "--input-topics", inputTopics,
                // The bridge uses static membership: a cleanly stopped member stays registered until its
                // session times out, and --force removes it.
                "--force");
        builder.redirectErrorStream(true).redirectOutput(rig.log("reset").toFile());
        return builder.start();
    }

    private static double recovered(BridgeService service) {
        return service.metrics().registry().find("bridge.calls.recovered").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
