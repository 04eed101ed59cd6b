package dev.callbridge.dispatch;

import dev.callbridge.metrics.BridgeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what finished attempts produced, with the offsets they let through, in one Kafka transaction
 * at a time. What it was given stays until a commit holds it: an aborted transaction is tried again
 * with the same records, because their Slack answers are known and must not be asked for again. A
 * commit that timed out is resumed, as the producer requires; one whose outcome stays unknown is
 * settled by a new producer (which finishes or aborts the old transaction) and the committed offsets.
 * Failing commits are spaced out up to {@link #MAX_BACKOFF}; a fenced or unauthorised producer is
 * fatal at once, commits failing for {@link #GIVE_UP_AFTER} are too. Used by the dispatcher's loop thread only.
 */
final class Committer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How often a timed-out commit is resumed before the producer is replaced. */
    static final int COMMIT_TRIES = 3;
    /** How long commits may keep failing before the dispatcher stops (and {@code /healthz} says so). */
    static final Duration GIVE_UP_AFTER = Duration.ofMinutes(5);

    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Consumer<?, ?> consumer;
    private final OffsetLedger ledger;
    private final Duration interval;
    private final LongSupplier nanoTime;
    private final BridgeMetrics metrics;
    private final List<Pending> pending = new ArrayList<>();
    private Producer<byte[], byte[]> producer;
    private boolean ready;
    private Unsettled unsettled;
    private int failures;
    private long failingSince = -1;
    private long nextCommitNanos;

    private record Pending(TopicPartition partition, ProducerRecord<byte[], byte[]> record) {}

    Committer(Supplier<Producer<byte[], byte[]>> producers, Consumer<?, ?> consumer, OffsetLedger ledger,
            Duration interval, LongSupplier nanoTime, BridgeMetrics metrics) {
        this.producers = producers;
        this.consumer = consumer;
        this.ledger = ledger;
        this.interval = interval;
        this.nanoTime = nanoTime;
        this.metrics = metrics;
        this.nextCommitNanos = nanoTime.getAsLong();
    }

    /** Starts the first producer, fencing a zombie of this instance and ending what it left open. */
    void start() {
        try {
            initProducer();
        } catch (ProducerFencedException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            // The broker may not be reachable yet: the first commit tries again.
            LOG.warn("Could not start the dispatcher's transactional producer yet; trying again at the first commit", e);
        }
    }

    /** A new producer, initialised: which also ends a transaction an earlier one left open. */
    private void initProducer() {
        Producer<byte[], byte[]> created = producers.get();
        try {
            created.initTransactions();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        producer = created;
        ready = true;
    }

    /** Records of a finished attempt on {@code partition}, for the next transaction. */
    void add(TopicPartition partition, List<ProducerRecord<byte[], byte[]>> records) {
        records.forEach(record -> pending.add(new Pending(partition, record)));
    }

    /** Forgets the records of partitions another instance owns now: their operations are its to answer. */
    void drop(Collection<TopicPartition> partitions) {
        pending.removeIf(entry -> partitions.contains(entry.partition()));
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Whether the last commit failed: the loop then takes no new operation until one succeeds. */
    boolean isFailing() {
        return failures > 0;
    }

    /** Whether a commit may go now: the interval has passed, or {@code urgent} and nothing failed lately. */
    boolean isDue(boolean urgent) {
        long now = nanoTime.getAsLong();
        return now >= nextCommitNanos || (urgent && failures == 0);
    }

    /**
     * Commits the pending records and the ledger's offsets in one transaction.
     *
     * @return whether everything given so far is committed; when not, it is all kept for the next try
     */
    boolean commit() {
        boolean inTransaction = false;
        try {
            if (!ready) {
                // Also ends a transaction a replaced producer left open: aborted, or committed if it got that far.
                initProducer();
            }
            if (unsettled != null) {
                settle();
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = ledger.toCommit();
            if (pending.isEmpty() && offsets.isEmpty()) {
                failures = 0;
                return true;
            }
            List<Pending> sent = List.copyOf(pending);
            producer.beginTransaction();
            inTransaction = true;
            sent.forEach(entry -> producer.send(entry.record()));
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
            if (!commitTransaction()) {
                unsettled = new Unsettled(offsets, sent);
                closeProducer();
                return failed("timed_out", "a commit kept timing out; whether it landed is settled before the next one", null);
            }
            committed(offsets, sent);
            failures = 0;
            failingSince = -1;
            nextCommitNanos = nanoTime.getAsLong() + interval.toNanos();
            metrics.transaction("committed");
            return true;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                | UnsupportedVersionException e) {
            throw e;
        } catch (KafkaException e) {
            if (inTransaction && ready) {
                abort();
            }
            return failed("aborted", "the transaction failed", e);
        }
    }

    /** A commit whose outcome is not known yet, and what went into it. */
    private record Unsettled(Map<TopicPartition, OffsetAndMetadata> offsets, List<Pending> sent) {}

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets, List<Pending> sent) {
        ledger.committed(offsets);
        dropSent(sent);
    }

    /** Commits, resuming after timeouts; {@code false} when it timed out every time. */
    private boolean commitTransaction() {
        for (int tries = 1; ; tries++) {
            try {
                producer.commitTransaction();
                return true;
            } catch (TimeoutException e) {
                if (tries >= COMMIT_TRIES) {
                    LOG.warn("Committing the dispatcher's transaction timed out {} times", tries);
                    return false;
                }
                LOG.info("Committing the dispatcher's transaction timed out; resuming the commit");
            }
        }
    }

    /**
     * After a commit that kept timing out, once a new producer with the same transactional id has ended
     * that transaction one way or the other: the group's committed offsets say which. Every transaction
     * moves some offset or its metadata, because each record in it comes with a finished operation.
     */
    private void settle() {
        Set<TopicPartition> owned = ledger.partitions();
        Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>(unsettled.offsets());
        offsets.keySet().retainAll(owned);
        if (offsets.isEmpty()) {
            // Every partition of it was handed over: its records are the next owners' to write or not.
            LOG.info("The dispatcher's commit that timed out is settled by the next owners of its partitions");
            dropSent(unsettled.sent());
            unsettled = null;
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(offsets.keySet()));
        // One transaction: one partition still owned that shows its offsets says it landed.
        boolean landed = offsets.entrySet().stream()
                .anyMatch(entry -> entry.getValue().equals(committed.get(entry.getKey())));
        if (landed) {
            committed(offsets, unsettled.sent());
        }
        LOG.info("The dispatcher's commit that timed out {}", landed ? "did land" : "did not land; its records go again");
        metrics.transaction(landed ? "committed_late" : "lost");
        unsettled = null;
    }

    private void dropSent(List<Pending> sent) {
        Set<Pending> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        gone.addAll(sent);
        pending.removeIf(gone::contains);
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            LOG.warn("Aborting the dispatcher's transaction failed; replacing its producer", e);
            closeProducer();
        }
    }

    /** The next commit starts a new producer, whose initialisation ends whatever transaction this one left. */
    private void closeProducer() {
        ready = false;
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debug("Closing the dispatcher's producer failed", e);
        }
    }

    private boolean failed(String outcome, String what, Exception cause) {
        failures++;
        long now = nanoTime.getAsLong();
        if (failingSince < 0) {
            failingSince = now;
        }
        long backoff = Math.min(MAX_BACKOFF.toNanos(), interval.toNanos() << Math.min(failures, 20));
        nextCommitNanos = now + Math.max(backoff, Duration.ofMillis(10).toNanos());
        metrics.transaction(outcome);
        LOG.warn("Dispatcher commit failed ({}, {} in a row); its {} records and offsets are kept and committed again",
                what, failures, pending.size(), cause);
        if (now - failingSince > GIVE_UP_AFTER.toNanos()) {
            throw new IllegalStateException("the dispatcher could not commit for " + GIVE_UP_AFTER
                    + "; stopping, so that a restart starts afresh", cause);
        }
        return false;
    }

    @Override
    public void close() {
        if (producer == null || !ready) {
            return;
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("Producer close failed", e);
        }
    }
}
