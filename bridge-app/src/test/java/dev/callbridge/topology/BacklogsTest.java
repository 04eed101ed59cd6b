package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.Topics;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.reconcile.ReconcilerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class BacklogsTest {

    private static final TopicPartition EVENTS = new TopicPartition("telephony.call-events", 0);
    private static final TopicPartition RESULTS = new TopicPartition("slack.call-results", 0);

    @Test
    void aTaskIsBehindByWhatLiesBetweenItsCommittedOffsetsAndTheEndOfItsPartitions() {
        assertThat(Backlogs.behind(task(new TaskId(1, 0), Map.of(EVENTS, 100L, RESULTS, 40L),
                Map.of(EVENTS, 5000L, RESULTS, 42L)))).isEqualTo(4902);
    }

    @Test
    void aPartitionWhoseEndIsNotKnownYetMeansTheBacklogIsNotKnown() {
        assertThat(Backlogs.behind(task(new TaskId(1, 0), Map.of(EVENTS, 100L), Map.of(EVENTS, -1L))))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aTrackedTaskIsCaughtUpOnlyOnceSeenWithASmallBacklog() {
        Backlogs backlogs = Backlogs.tracked();
        TaskId task = new TaskId(1, 0);
        assertThat(backlogs.caughtUp(task)).as("not seen yet").isFalse();

        backlogs.update(List.of(thread(task(task, Map.of(EVENTS, 0L), Map.of(EVENTS, 250_000L)))));
        assertThat(backlogs.caughtUp(task)).isFalse();

        backlogs.update(List.of(thread(task(task, Map.of(EVENTS, 249_990L), Map.of(EVENTS, 250_000L)))));
        assertThat(backlogs.caughtUp(task)).isTrue();
        assertThat(Backlogs.ignored().caughtUp(task)).isTrue();
    }

    @Test
    void theSweeperEndsNoCallWhileItsTaskIsStillReadingItsBacklog() {
        Backlogs backlogs = Backlogs.tracked();
        TopologyConfig config = new TopologyConfig(Topics.withPrefix("", 4096),
                ReconcilerSettings.defaults().withDefaultChannel("C0CALLS"), Duration.ofMinutes(1));
        CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", TopologyFixture.START);
        try (TopologyFixture bridge = new TopologyFixture(config, backlogs)) {
            bridge.send(call.started("https://pbx.example/j/1"));
            bridge.answerOps();
            backlogs.update(List.of(threadOverEveryTask(1_000_000L)));

            bridge.driver.advanceWallClockTime(Duration.ofHours(13));
            assertThat(bridge.newOps()).as("an outage's backlog is being read").isEmpty();

            backlogs.update(List.of(threadOverEveryTask(0L)));
            bridge.driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertThat(bridge.newOps()).singleElement().isInstanceOf(CallOp.EndCall.class);
        }
    }

    /** The test driver's task ids are those of the topology's sub-topologies on partition 0. */
    private static ThreadMetadata threadOverEveryTask(long behind) {
        Set<TaskMetadata> tasks = new java.util.HashSet<>();
        IntStream.range(0, 4).forEach(subtopology -> tasks.add(task(new TaskId(subtopology, 0), Map.of(EVENTS, 0L),
                Map.of(EVENTS, behind))));
        return thread(tasks.toArray(TaskMetadata[]::new));
    }

    private static TaskMetadata task(TaskId id, Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        return new TaskMetadata() {
            @Override public TaskId taskId() { return id; }
            @Override public Set<TopicPartition> topicPartitions() { return end.keySet(); }
            @Override public Map<TopicPartition, Long> committedOffsets() { return committed; }
            @Override public Map<TopicPartition, Long> endOffsets() { return end; }
            @Override public Optional<Long> timeCurrentIdlingStarted() { return Optional.empty(); }
        };
    }

    private static ThreadMetadata thread(TaskMetadata... tasks) {
        return new ThreadMetadata() {
            @Override public String threadState() { return "RUNNING"; }
            @Override public String threadName() { return "stream-thread-1"; }
            @Override public Set<TaskMetadata> activeTasks() { return Set.of(tasks); }
            @Override public Set<TaskMetadata> standbyTasks() { return Set.of(); }
            @Override public String consumerClientId() { return "consumer"; }
            @Override public String restoreConsumerClientId() { return "restore"; }
            @Override public Set<String> producerClientIds() { return Set.of(); }
            @Override public String adminClientId() { return "admin"; }
        };
    }
}
