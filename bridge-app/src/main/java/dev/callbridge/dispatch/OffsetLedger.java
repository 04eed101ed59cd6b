package dev.callbridge.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which consumed operations are finished, per partition, when they finish out of order, and which
 * may be on their way to Slack. The committed offset is the first operation still in flight; its
 * metadata names the operations finished above it, so a restart or rebalance skips them instead of
 * sending them again, and the operations announced as sending, so the next owner knows that their
 * outcome is unknown. Used by the dispatcher's loop thread only.
 *
 * <p>The metadata is {@code v2;f=<ranges>;s=<offsets>}, every offset a distance from the committed
 * one (0 is that offset itself, which may be sending but not finished) and runs of finished offsets written as {@code a-b}. A partition whose metadata would outgrow
 * {@link #MAX_METADATA_BYTES} takes no new operation until an older one finishes
 * ({@link #hasRoom}), so nothing finished is ever left out of it.
 */
final class OffsetLedger {

    static final String V2_PREFIX = "v2;";
    /** The metadata written before announcements existed; still read, so an upgrade skips what was finished. */
    static final String LEGACY_PREFIX = "finished-above:";
    /** Kept well under the broker's {@code offset.metadata.max.bytes} (4096 by default). */
    static final int MAX_METADATA_BYTES = 2048;

    /** What the ledger knows of an offset read again after a restore. */
    enum Seen {
        /** Never taken before, or taken and certainly not sent. */
        NEW,
        /** Finished before the restore: skip it. */
        FINISHED,
        /** Announced as sending before the restore and never finished: its outcome is unknown. */
        MAYBE_SENT
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    /** Where a partition was committed, and what the metadata says above it. */
    void restore(TopicPartition partition, OffsetAndMetadata committed) {
        Partition restored = new Partition();
        if (committed != null) {
            Metadata metadata = decode(committed.offset(), committed.metadata());
            restored.next = committed.offset();
            restored.committed = committed.offset();
            restored.skip.addAll(metadata.finished());
            restored.finished.addAll(metadata.finished());
            restored.committedFinished.addAll(metadata.finished());
            restored.maybeSent.addAll(metadata.sending());
            restored.committedSending.addAll(metadata.sending());
        }
        partitions.put(partition, restored);
    }

    /** What is known of the record at {@code offset}; a finished one now counts as read. */
    Seen seen(TopicPartition partition, long offset) {
        Partition state = state(partition);
        if (state.skip.remove(offset)) {
            state.next = Math.max(state.next, offset + 1);
            return Seen.FINISHED;
        }
        return state.maybeSent.contains(offset) ? Seen.MAYBE_SENT : Seen.NEW;
    }

    /**
     * Whether the partition's metadata has room for one more operation in flight: what it would say now,
     * plus what each operation in flight may still add when it finishes (splitting a run of finished
     * offsets in two, or naming itself as sending), stays within {@link #MAX_METADATA_BYTES}.
     */
    boolean hasRoom(TopicPartition partition) {
        Partition state = partitions.get(partition);
        if (state == null || state.inFlight.isEmpty()) {
            return true;
        }
        long at = state.inFlight.first();
        int now = encode(at, state.finished.tailSet(at, false), sendingOf(state)).getBytes(StandardCharsets.UTF_8).length;
        int digits = Long.toString(Math.max(1, state.next - at)).length();
        long mayAdd = (long) (state.inFlight.size() + 1) * (3L * digits + 3);
        return V2_PREFIX.length() + 6 + now + mayAdd <= MAX_METADATA_BYTES;
    }

    /** The record at {@code offset} is being handled; it is in flight until {@link #finish}. */
    void start(TopicPartition partition, long offset) {
        Partition state = state(partition);
        state.inFlight.add(offset);
        state.next = Math.max(state.next, offset + 1);
    }

    /**
     * The operation at {@code offset} is about to be sent, and a repeat would show in Slack: the next
     * commit names it, and it must not be sent before that commit.
     */
    void announce(TopicPartition partition, long offset) {
        Partition state = partitions.get(partition);
        if (state != null && state.inFlight.contains(offset)) {
            state.sending.add(offset);
        }
    }

    /**
     * Announcements of the partition whose request never began (the partition is being handed over):
     * the next owner need not treat them as possibly sent.
     */
    void withdrawUnrequested(TopicPartition partition, java.util.function.LongPredicate requested) {
        Partition state = partitions.get(partition);
        if (state != null) {
            state.sending.removeIf(offset -> !requested.test(offset));
        }
    }

    /** Whether the record at {@code offset} was in flight; an answer for one that was not is stale. */
    boolean finish(TopicPartition partition, long offset) {
        Partition state = partitions.get(partition);
        if (state == null || !state.inFlight.remove(offset)) {
            return false;
        }
        state.sending.remove(offset);
        state.maybeSent.remove(offset);
        state.finished.add(offset);
        return true;
    }

    /** Operations started and not yet finished, over every partition. */
    int inFlight() {
        return partitions.values().stream().mapToInt(state -> state.inFlight.size()).sum();
    }

    /**
     * Offsets (with what is finished and announced above them) that changed since the last
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
            state.maybeSent.headSet(at, false).clear();
            NavigableSet<Long> sending = sendingOf(state);
            if (at != state.committed || !state.finished.equals(state.committedFinished)
                    || !sending.equals(state.committedSending)) {
                offsets.put(partition, new OffsetAndMetadata(at, encode(at, state.finished, sending)));
            }
        });
        return offsets;
    }

    /** The offsets from {@link #toCommit} are now committed. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            Partition state = partitions.get(partition);
            if (state != null) {
                Metadata metadata = decode(offset.offset(), offset.metadata());
                state.committed = offset.offset();
                state.committedFinished.clear();
                state.committedFinished.addAll(metadata.finished());
                state.committedSending.clear();
                state.committedSending.addAll(metadata.sending());
            }
        });
    }

    void forget(Collection<TopicPartition> gone) {
        gone.forEach(partitions::remove);
    }

    Set<TopicPartition> partitions() {
        return Set.copyOf(partitions.keySet());
    }

    /** What the next owner must treat as possibly sent: announced now, or before the restore and not finished. */
    private static NavigableSet<Long> sendingOf(Partition state) {
        NavigableSet<Long> sending = new TreeSet<>(state.sending);
        sending.addAll(state.maybeSent);
        return sending;
    }

    private Partition state(TopicPartition partition) {
        return partitions.computeIfAbsent(partition, p -> new Partition());
    }

    /** The finished and announced offsets above {@code at}, as distances from it. */
    static String encode(long at, NavigableSet<Long> finished, NavigableSet<Long> sending) {
        if (finished.isEmpty() && sending.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(V2_PREFIX).append("f=");
        Long runStart = null;
        long previous = Long.MIN_VALUE;
        boolean first = true;
        for (long offset : finished) {
            if (runStart != null && offset == previous + 1) {
                previous = offset;
                continue;
            }
            if (runStart != null) {
                first = appendRun(text, at, runStart, previous, first);
            }
            runStart = offset;
            previous = offset;
        }
        if (runStart != null) {
            appendRun(text, at, runStart, previous, first);
        }
        text.append(";s=");
        boolean firstSending = true;
        for (long offset : sending) {
            if (!firstSending) {
                text.append(',');
            }
            text.append(offset - at);
            firstSending = false;
        }
        return text.toString();
    }

    private static boolean appendRun(StringBuilder text, long at, long from, long to, boolean first) {
        if (!first) {
            text.append(',');
        }
        text.append(from - at);
        if (to > from) {
            text.append('-').append(to - at);
        }
        return false;
    }

    /** What an offset's metadata says; anything unreadable counts as nothing finished and nothing sending. */
    record Metadata(NavigableSet<Long> finished, NavigableSet<Long> sending) {
        static Metadata none() {
            return new Metadata(new TreeSet<>(), new TreeSet<>());
        }
    }

    static Metadata decode(long at, String metadata) {
        if (metadata == null) {
            return Metadata.none();
        }
        try {
            if (metadata.startsWith(LEGACY_PREFIX)) {
                return new Metadata(offsets(at, metadata.substring(LEGACY_PREFIX.length()), 1), new TreeSet<>());
            }
            if (!metadata.startsWith(V2_PREFIX)) {
                return Metadata.none();
            }
            NavigableSet<Long> finished = new TreeSet<>();
            NavigableSet<Long> sending = new TreeSet<>();
            for (String part : metadata.substring(V2_PREFIX.length()).split(";")) {
                if (part.startsWith("f=")) {
                    finished = offsets(at, part.substring(2), 1);
                } else if (part.startsWith("s=")) {
                    // The first operation in flight may itself be sending: distance 0.
                    sending = offsets(at, part.substring(2), 0);
                }
            }
            return new Metadata(finished, sending);
        } catch (NumberFormatException e) {
            // Not ours after all: skipping nothing is always safe.
            return Metadata.none();
        }
    }

    private static NavigableSet<Long> offsets(long at, String list, long least) {
        NavigableSet<Long> offsets = new TreeSet<>();
        if (list.isEmpty()) {
            return offsets;
        }
        for (String item : list.split(",")) {
            int dash = item.indexOf('-', 1);
            long from = Long.parseLong(dash < 0 ? item : item.substring(0, dash));
            long to = dash < 0 ? from : Long.parseLong(item.substring(dash + 1));
            if (from < least || to < from || to - from > 1_000_000) {
                throw new NumberFormatException("not a run of offsets above the committed one: " + item);
            }
            for (long distance = from; distance <= to; distance++) {
                offsets.add(at + distance);
            }
        }
        return offsets;
    }

    private static final class Partition {
        /** The offset after the last record started or skipped; -1 until there is one. */
        long next = -1;
        long committed = -1;
        final NavigableSet<Long> inFlight = new TreeSet<>();
        final NavigableSet<Long> finished = new TreeSet<>();
        /** Announced as sending by this owner and not finished. */
        final NavigableSet<Long> sending = new TreeSet<>();
        /** Announced by an earlier owner and not finished since: named again until they finish. */
        final NavigableSet<Long> maybeSent = new TreeSet<>();
        final NavigableSet<Long> committedFinished = new TreeSet<>();
        final NavigableSet<Long> committedSending = new TreeSet<>();
        /** Finished before the last restore and not read again yet. */
        final Set<Long> skip = new java.util.HashSet<>();
    }
}
