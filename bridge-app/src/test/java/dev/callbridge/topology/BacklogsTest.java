package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.op.CallOp;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class BacklogsTest {

    private static final TopicPartition EVENTS = new TopicPartition("telephony.call-events", 0);
    private static final TopicPartition RESULTS = new TopicPartition("slack.call-results", 0);
    private static final TopicPartition REPARTITION = new TopicPartition("call-bridge-events-by-subject-repartition", 0);
    private static final TaskId TASK = new TaskId(1, 0);

    @Test
    void aTaskIsBehindByWhatLiesBetweenItsCommittedOffsetsAndTheEndOfEachOfItsPartitions() {
        Map<TaskId, Long> behind = Backlogs.behind(Map.of(TASK, Set.of(EVENTS, RESULTS, REPARTITION)),
                Map.of(EVENTS, 5000L, RESULTS, 42L, REPARTITION, 0L), Map.of(EVENTS, 100L, RESULTS, 40L));

        // The repartition partition never held a record: nothing waits there.
        assertThat(behind).containsEntry(TASK, 4902L);
    }

    @Test
    void aPartitionNeverCommittedCountsFromItsStartAndOneWithoutAnEndIsNotKnown() {
        assertThat(Backlogs.behind(Map.of(TASK, Set.of(EVENTS)), Map.of(EVENTS, 300L), Map.of()))
                .containsEntry(TASK, 300L);
        assertThat(Backlogs.behind(Map.of(TASK, Set.of(EVENTS, RESULTS)), Map.of(EVENTS, 300L), Map.of(EVENTS, 300L)))
                .containsEntry(TASK, Long.MAX_VALUE);
    }

    @Test
    void aTrackedTaskIsCaughtUpOnlyOnceMeasuredWithASmallBacklog() {
        Backlogs backlogs = Backlogs.tracked();
        assertThat(backlogs.caughtUp(TASK)).as("not measured yet").isFalse();

        backlogs.update(Map.of(TASK, 250_000L));
        assertThat(backlogs.caughtUp(TASK)).isFalse();

        backlogs.update(Map.of(TASK, 10L));
        assertThat(backlogs.caughtUp(TASK)).isTrue();

        backlogs.update(Map.of());
        assertThat(backlogs.caughtUp(TASK)).as("a task this instance no longer runs").isFalse();
        assertThat(Backlogs.ignored().caughtUp(TASK)).isTrue();
    }

    @Test
    void theSweeperEndsNoCallWhileItsTaskIsStillReadingItsBacklog() {
        Backlogs backlogs = Backlogs.tracked();
        TopologyConfig config = TopologyFixture.usualConfig();
        CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", TopologyFixture.START);
        try (TopologyFixture bridge = new TopologyFixture(config, backlogs)) {
            bridge.send(call.started("https://pbx.example/j/1"));
            bridge.answerOps();
            backlogs.update(everyTask(1_000_000L));

            bridge.driver.advanceWallClockTime(Duration.ofHours(13));
            assertThat(bridge.newOps()).as("an outage's backlog is being read").isEmpty();

            backlogs.update(everyTask(0L));
            bridge.driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertThat(bridge.newOps()).singleElement().isInstanceOf(CallOp.EndCall.class);
        }
    }

    /** The test driver's task ids are those of the topology's sub-topologies on partition 0. */
    private static Map<TaskId, Long> everyTask(long behind) {
        Map<TaskId, Long> tasks = new HashMap<>();
        IntStream.range(0, 4).forEach(subtopology -> tasks.put(new TaskId(subtopology, 0), behind));
        return tasks;
    }
}
