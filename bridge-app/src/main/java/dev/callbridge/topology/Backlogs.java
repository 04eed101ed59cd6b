package dev.callbridge.topology;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.TaskId;

/**
 * How far each of this instance's call tasks is behind its input, so that wall-clock work (the
 * stale-call sweeper, giving up on an unanswered operation) waits until a task has read what is
 * waiting for it: after an outage, a call's events and results may sit in the backlog while the
 * wall clock says the call has been silent for hours.
 */
public final class Backlogs {

    /** A backlog a task works off in well under a sweep interval; under load a task is never at zero. */
    static final long CAUGHT_UP_RECORDS = 1_000;

    private final boolean tracked;
    private final Map<TaskId, Long> recordsBehind = new ConcurrentHashMap<>();

    private Backlogs(boolean tracked) {
        this.tracked = tracked;
    }

    /** Backlogs learned from the running Kafka Streams' task metadata through {@link #update}. */
    public static Backlogs tracked() {
        return new Backlogs(true);
    }

    /** Every task counts as caught up: for tests and tools that do not run the topology on a broker. */
    public static Backlogs ignored() {
        return new Backlogs(false);
    }

    /** Takes the active tasks' committed and end offsets, as {@code KafkaStreams#metadataForLocalThreads} gives them. */
    public void update(Collection<ThreadMetadata> threads) {
        Map<TaskId, Long> now = new ConcurrentHashMap<>();
        threads.forEach(thread -> thread.activeTasks().forEach(task -> now.put(task.taskId(), behind(task))));
        recordsBehind.keySet().retainAll(now.keySet());
        recordsBehind.putAll(now);
    }

    /** Whether the task has read nearly all that waits for it; a task not seen yet has not. */
    boolean caughtUp(TaskId task) {
        if (!tracked) {
            return true;
        }
        Long behind = recordsBehind.get(task);
        return behind != null && behind <= CAUGHT_UP_RECORDS;
    }

    /** Records between the task's committed position and the end of each of its input partitions. */
    static long behind(TaskMetadata task) {
        long behind = 0;
        for (TopicPartition partition : task.topicPartitions()) {
            Long end = task.endOffsets().get(partition);
            if (end == null || end < 0) {
                // The consumer has not fetched from it yet: what waits there is not known.
                return Long.MAX_VALUE;
            }
            Long committed = task.committedOffsets().get(partition);
            behind += Math.max(0, end - Math.max(0, committed == null ? 0 : committed));
        }
        return behind;
    }
}
