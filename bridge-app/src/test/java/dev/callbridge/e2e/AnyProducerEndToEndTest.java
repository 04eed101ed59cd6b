package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.e2e.BridgeRig.Placement;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topology.CallPartitioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls whose events were not written where the Java client would put them, and arrive over time,
 * so each operation's result comes back before the call's next event: as librdkafka-based producers
 * (Go, Python, Node, .NET, kcat) partition them, round-robin, with explicit partitions and null keys.
 */
class AnyProducerEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int PARTITIONS = BridgeRig.PARTITIONS;
    private static final Duration GAP = Duration.ofMillis(40);

    @Test
    void eventsOnLibrdkafkasPartitionConvergeToTheExactSlackState() {
        CallScenario scenario = CallScenario.lifecycles("e2e-crc-", 12);
        long elsewhere = scenario.calls().stream()
                .filter(c -> crc32Partition(c.externalId()) != CallPartitioner.partition(c.externalId(), PARTITIONS))
                .count();
        assertThat(elsewhere).as("calls librdkafka puts on another partition than Java's").isGreaterThanOrEqualTo(4);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-crc-")) {
            rig.startService(rig.settings("one"));
            rig.sendOverTime(scenario.inOrder(), GAP,
                    event -> new Placement(event.subject(), crc32Partition(event.subject())));

            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.expect.assertNoSlackErrors();
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
        }
    }

    @Test
    void aCallsEventsSpreadOverEveryPartitionWithMixedKeysConverge() {
        CallScenario scenario = CallScenario.lifecycles("e2e-spread-", 9);
        AtomicInteger sent = new AtomicInteger();
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-spread-")) {
            rig.startService(rig.settings("one"));
            // Round-robin partitions; every third record has no key, every other one some other key.
            rig.sendOverTime(scenario.inOrder(), GAP, event -> {
                int n = sent.getAndIncrement();
                String key = switch (n % 3) {
                    case 0 -> null;
                    case 1 -> event.subject();
                    default -> "trunk-" + (n % 5);
                };
                return new Placement(key, n % PARTITIONS);
            });

            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.expect.assertNoSlackErrors();
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            assertThat(rig.committed(rig.topics.callEventsDeadLetters().name())).isEmpty();
        }
    }

    /** librdkafka's default partitioner for a keyed record: CRC32 of the key. */
    static int crc32Partition(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % PARTITIONS);
    }
}
