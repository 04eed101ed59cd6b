package dev.callbridge.topology;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
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
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final boolean tracked;
    private final Map<TaskId, Long> recordsBehind = new ConcurrentHashMap<>();

    private Backlogs(boolean tracked) {
        this.tracked = tracked;
    }

    /** Backlogs read from the broker through {@link #refresh}. */
    public static Backlogs tracked() {
        return new Backlogs(true);
    }

    /** Every task counts as caught up: for tests and tools that do not run the topology on a broker. */
    public static Backlogs ignored() {
        return new Backlogs(false);
    }

    /**
     * Reads, for every active task of {@code threads}, how many records of its input partitions lie
     * between the application's committed offsets and the end of what producers committed (the last
     * stable offset), as the broker has them now.
     *
     * @return records behind, by task
     */
    public Map<TaskId, Long> refresh(Admin admin, String applicationId, Collection<ThreadMetadata> threads)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TaskId, Set<TopicPartition>> tasks = new HashMap<>();
        threads.forEach(thread -> thread.activeTasks()
                .forEach(task -> tasks.put(task.taskId(), Set.copyOf(task.topicPartitions()))));
        Set<TopicPartition> partitions = new HashSet<>();
        tasks.values().forEach(partitions::addAll);
        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<TopicPartition, Long> committed = new HashMap<>();
        if (!partitions.isEmpty()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((partition, info) -> ends.put(partition, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            offsets.forEach((partition, offset) -> {
                if (offset != null) {
                    committed.put(partition, offset.offset());
                }
            });
        }
        Map<TaskId, Long> measured = behind(tasks, ends, committed);
        update(measured);
        return measured;
    }

    /** Takes how many records each task is behind; tasks not named are no longer this instance's. */
    void update(Map<TaskId, Long> behind) {
        recordsBehind.keySet().retainAll(behind.keySet());
        recordsBehind.putAll(behind);
    }

    /** Whether the task has read nearly all that waits for it; a task not measured yet has not. */
    boolean caughtUp(TaskId task) {
        if (!tracked) {
            return true;
        }
        Long behind = recordsBehind.get(task);
        return behind != null && behind <= CAUGHT_UP_RECORDS;
    }

    /**
     * Records between each task's committed position and the end of each of its partitions. A
     * partition never committed counts from its start, so a task is behind until it first commits,
     * unless nothing was ever written there.
     */
    static Map<TaskId, Long> behind(Map<TaskId, Set<TopicPartition>> tasks, Map<TopicPartition, Long> ends,
            Map<TopicPartition, Long> committed) {
        Map<TaskId, Long> behind = new HashMap<>();
        tasks.forEach((task, partitions) -> {
            long records = 0;
            for (TopicPartition partition : partitions) {
                Long end = ends.get(partition);
                if (end == null) {
                    records = Long.MAX_VALUE;
                    break;
                }
                records += Math.max(0, end - committed.getOrDefault(partition, 0L));
            }
            behind.put(task, records);
        });
        return behind;
    }
}
