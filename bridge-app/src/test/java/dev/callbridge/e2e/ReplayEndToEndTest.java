package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The input topic replayed with the bridge's state intact: calls already in sync cost no Slack request. */
class ReplayEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void replayingEveryEventAgainWithStateIntactSendsNothingToSlack() throws Exception {
        CallScenario scenario = CallScenario.lifecycles("e2e-replay-", 10);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-replay-")) {
            BridgeSettings env = rig.settings("one");
            BridgeService first = rig.startService(env);
            rig.send(scenario.inOrder());
            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.stopService(first);
            EmulatorStats before = rig.emulator().stats();
            int operationsBefore = rig.committed(rig.topics.callOps().name()).size();

            // The replay: every original record once more, read by the same application on the same state.
            rig.send(scenario.inOrder());
            BridgeService second = rig.startService(env);
            String applicationId = BridgeRig.config(env).applicationId();
            await().atMost(Duration.ofSeconds(60)).pollInterval(SlackExpectations.POLL)
                    .until(() -> inputConsumed(rig, applicationId));
            // Give the dispatcher time to send anything the replay might have produced.
            Thread.sleep(2_000);

            assertThat(second.isReady()).isTrue();
            assertThat(rig.committed(rig.topics.callOps().name())).as("operations after the replay")
                    .hasSize(operationsBefore);
            EmulatorStats after = rig.emulator().stats();
            assertThat(after.methods()).as("Slack requests per method").isEqualTo(before.methods());
            assertThat(after.duplicateCallsAdd()).isZero();
        }
    }

    /** Whether the streams application has committed the input topic up to its end on every partition. */
    static boolean inputConsumed(BridgeRig rig, String applicationId)
            throws ExecutionException, InterruptedException {
        String input = rig.topics.callEvents().name();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, rig.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                    .filter(p -> p.topic().equals(input))
                    .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
            if (latest.size() != BridgeRig.PARTITIONS) {
                return false;
            }
            var ends = admin.listOffsets(latest).all().get();
            return latest.keySet().stream().allMatch(p -> committed.get(p).offset() >= ends.get(p).offset());
        }
    }
}
