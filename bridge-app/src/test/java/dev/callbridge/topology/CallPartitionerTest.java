package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callbridge.model.event.CallEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class CallPartitionerTest {

    private static final String REPARTITION_TOPIC = "bridge-test-" + CallTopology.REKEY_REPARTITION + "-repartition";

    @Test
    void aCallsPartitionIsTheOneTheJavaProducerChoosesForItsKey() {
        IntStream.range(0, 500).mapToObj(n -> "call-" + n + "-" + (n * 7919)).forEach(call -> {
            for (int partitions : new int[] {1, 3, 12, 64}) {
                assertThat(CallPartitioner.partition(call, partitions)).as(call + " of " + partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(call.getBytes(StandardCharsets.UTF_8), partitions));
            }
        });
    }

    @Test
    void noPartitionsIsRefused() {
        assertThatThrownBy(() -> CallPartitioner.partition("call-1", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEventKeyedByItsCallButOnAnotherPartitionIsRepartitioned() {
        // The test driver reads every input record from partition 0.
        String away = IntStream.range(0, 100).mapToObj(n -> "call-" + n)
                .filter(c -> CallPartitioner.partition(c, 4) != 0).findFirst().orElseThrow();
        try (TopologyFixture bridge = new TopologyFixture(config(4))) {
            bridge.send(CallEvents.sequenced(away, "pbx", TopologyFixture.START).started("https://pbx.example/j/1"));

            assertThat(bridge.driver.producedTopicNames()).contains(REPARTITION_TOPIC);
            assertThat(bridge.newOps()).singleElement().satisfies(op -> assertThat(op.externalUniqueId()).isEqualTo(away));
        }
    }

    @Test
    void anEventKeyedByItsCallOnItsCallsPartitionGoesStraightOn() {
        String home = IntStream.range(0, 100).mapToObj(n -> "call-" + n)
                .filter(c -> CallPartitioner.partition(c, 4) == 0).findFirst().orElseThrow();
        try (TopologyFixture bridge = new TopologyFixture(config(4))) {
            bridge.send(CallEvents.sequenced(home, "pbx", TopologyFixture.START).started("https://pbx.example/j/1"));

            assertThat(bridge.driver.producedTopicNames()).doesNotContain(REPARTITION_TOPIC);
            assertThat(bridge.newOps()).singleElement().satisfies(op -> assertThat(op.externalUniqueId()).isEqualTo(home));
        }
    }

    @Test
    void withThePartitionCountUnknownEveryEventIsRepartitioned() {
        String home = IntStream.range(0, 100).mapToObj(n -> "call-" + n)
                .filter(c -> CallPartitioner.partition(c, 4) == 0).findFirst().orElseThrow();
        try (TopologyFixture bridge = new TopologyFixture(config(0))) {
            bridge.send(CallEvents.sequenced(home, "pbx", TopologyFixture.START).started("https://pbx.example/j/1"));

            assertThat(bridge.driver.producedTopicNames()).contains(REPARTITION_TOPIC);
            assertThat(bridge.newOps()).hasSize(1);
        }
    }

    @Test
    void aCallStoredOnATaskThatIsNotItsHomeIsDroppedByTheSweeper() {
        // The test driver reads every record from partition 0, so a call whose home is another partition
        // stands for a state left on the wrong task by a version that did not re-partition events.
        String home = IntStream.range(0, 100).mapToObj(n -> "call-" + n)
                .filter(c -> CallPartitioner.partition(c, 4) == 0).findFirst().orElseThrow();
        String away = IntStream.range(0, 100).mapToObj(n -> "call-" + n)
                .filter(c -> CallPartitioner.partition(c, 4) != 0).findFirst().orElseThrow();
        try (TopologyFixture bridge = new TopologyFixture(config(4))) {
            bridge.send(CallEvents.sequenced(home, "pbx", TopologyFixture.START).started("https://pbx.example/j/1"));
            bridge.send(CallEvents.sequenced(away, "pbx", TopologyFixture.START).started("https://pbx.example/j/2"));
            assertThat(bridge.storedState(away)).isNotNull();

            bridge.driver.advanceWallClockTime(Duration.ofMinutes(1));

            assertThat(bridge.storedState(away)).isNull();
            assertThat(bridge.storedState(home)).isNotNull();
        }
    }

    private static TopologyConfig config(int partitions) {
        return TopologyFixture.usualConfig().withCallPartitions(partitions);
    }
}
