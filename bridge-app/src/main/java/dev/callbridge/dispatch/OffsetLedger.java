package dev.callbridge.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which consumed operations are finished, per partition, when they finish out of order. The
 * committed offset is the first operation still in flight; operations finished above it are named
 * in the offset's metadata, so that after a restart or rebalance they are skipped instead of being
 * sent to Slack a second time. Used by the dispatcher's loop thread only.
 */
final class OffsetLedger {

    /** Marks metadata written by this ledger; anything else in an offset's metadata is ignored. */
    static final String METADATA_PREFIX = "finished-above:";
    /** Kept well under the broker's {@code offset.metadata.max.bytes} (4096 by default). */
    static final int MAX_METADATA_BYTES = 2048;

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    /** Where a partition was committed: offsets at or above it that are already finished are skipped. */
    void restore(TopicPartition partition, OffsetAndMetadata committed) {
        Partition restored = new Partition();
        if (committed != null) {
            restored.next = committed.offset();
            restored.committed = committed.offset();
            restored.skip.addAll(decode(committed.offset(), committed.metadata()));
            restored.finished.addAll(restored.skip);
            restored.committedFinished.addAll(restored.skip);
        }
        partitions.put(partition, restored);
    }

    /**
     * Whether the record at {@code offset} was finished before the last restore; if so it now counts
     * as finished and must not be handled again.
     */
    boolean finishedBefore(TopicPartition partition, long offset) {
        Partition state = state(partition);
        if (!state.skip.remove(offset)) {
            return false;
        }
        state.next = Math.max(state.next, offset + 1);
        return true;
    }

    /** The record at {@code offset} is being handled; it is in flight until {@link #finish}. */
    void start(TopicPartition partition, long offset) {
        Partition state = state(partition);
        state.inFlight.add(offset);
        state.next = Math.max(state.next, offset + 1);
    }

    /** Whether the record at {@code offset} was in flight; an answer for one that was not is stale. */
    boolean finish(TopicPartition partition, long offset) {
        Partition state = partitions.get(partition);
        if (state == null || !state.inFlight.remove(offset)) {
            return false;
        }
        state.finished.add(offset);
        return true;
    }

    /** Operations started and not yet finished, over every partition. */
    int inFlight() {
        return partitions.values().stream().mapToInt(state -> state.inFlight.size()).sum();
    }

    /**
     * Offsets (with the finished operations above them) that changed since the last
     * {@link #committed}; empty when there is nothing new to commit.
     */
    Map<TopicPartition, OffsetAndMetadata> toCommit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        partitions.forEach((partition, state) -> {
            if (state.next < 0) {
                return;
            }
            long at = state.inFlight.isEmpty() ? state.next : state.inFlight.first();
            state.finished.headSet(at, false).clear();
            if (at != state.committed || !state.finished.equals(state.committedFinished)) {
                offsets.put(partition, new OffsetAndMetadata(at, encode(at, state.finished)));
            }
        });
        return offsets;
    }

    /** The offsets from {@link #toCommit} are now committed. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            Partition state = partitions.get(partition);
            if (state != null) {
                state.committed = offset.offset();
                state.committedFinished.clear();
                state.committedFinished.addAll(decode(offset.offset(), offset.metadata()));
            }
        });
    }

    void forget(Collection<TopicPartition> gone) {
        gone.forEach(partitions::remove);
    }

    Set<TopicPartition> partitions() {
        return Set.copyOf(partitions.keySet());
    }

    private Partition state(TopicPartition partition) {
        return partitions.computeIfAbsent(partition, p -> new Partition());
    }

    /**
     * The finished offsets above {@code at} as distances from it, lowest first, as many as fit;
     * one left out is at worst sent again after a restart, as any operation in flight would be.
     */
    static String encode(long at, NavigableSet<Long> finished) {
        if (finished.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(METADATA_PREFIX);
        boolean first = true;
        for (long offset : finished) {
            String delta = Long.toString(offset - at);
            if (text.length() + delta.length() + 1 > MAX_METADATA_BYTES) {
                break;
            }
            if (!first) {
                text.append(',');
            }
            text.append(delta);
            first = false;
        }
        return text.toString();
    }

    static NavigableSet<Long> decode(long at, String metadata) {
        NavigableSet<Long> finished = new TreeSet<>();
        if (metadata == null || !metadata.startsWith(METADATA_PREFIX)
                || metadata.getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_BYTES) {
            return finished;
        }
        String list = metadata.substring(METADATA_PREFIX.length());
        if (list.isEmpty()) {
            return finished;
        }
        for (String delta : list.split(",")) {
            try {
                long distance = Long.parseLong(delta);
                if (distance > 0) {
                    finished.add(at + distance);
                }
            } catch (NumberFormatException e) {
                // Not ours after all: skipping nothing is always safe.
                return new TreeSet<>();
            }
        }
        return finished;
    }

    private static final class Partition {
        /** The offset after the last record started or skipped; -1 until there is one. */
        long next = -1;
        long committed = -1;
        final NavigableSet<Long> inFlight = new TreeSet<>();
        final NavigableSet<Long> finished = new TreeSet<>();
        final NavigableSet<Long> committedFinished = new TreeSet<>();
        /** Finished before the last restore and not read again yet. */
        final Set<Long> skip = new HashSet<>();
    }
}
