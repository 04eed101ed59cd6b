package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callbridge.metrics.BridgeMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommitterTest {

    private static final TopicPartition OPS = new TopicPartition("slack.call-ops", 0);
    private static final ProducerRecord<byte[], byte[]> RESULT =
            new ProducerRecord<>("slack.call-results", "c1".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final OffsetLedger ledger = new OffsetLedger();
    private final Deque<Producer<byte[], byte[]>> producers = new ArrayDeque<>();
    private final AtomicLong nanos = new AtomicLong();
    private final Committer committer = new Committer(this::nextProducer, consumer, ledger, Duration.ofMillis(50),
            nanos::get, BridgeMetrics.discarding());

    private Producer<byte[], byte[]> nextProducer() {
        return producers.removeFirst();
    }

    @BeforeEach
    void oneOperationAnswered() {
        consumer.assign(List.of(OPS));
        ledger.restore(OPS, null);
        ledger.start(OPS, 0);
        ledger.finish(OPS, 0);
        committer.add(OPS, List.of(RESULT));
    }

    @Test
    void aCommitWritesTheRecordsWithTheOffsetsTheyLetThrough() {
        MockProducer<byte[], byte[]> producer = mockProducer();
        producers.add(producer);

        assertThat(committer.commit()).isTrue();

        assertThat(producer.history()).containsExactly(RESULT);
        assertThat(producer.consumerGroupOffsetsHistory()).hasSize(1);
        assertThat(committer.hasPending()).isFalse();
    }

    @Test
    void anAbortedTransactionIsTriedAgainWithTheSameRecordsNotDropped() {
        FailingProducer producer = new FailingProducer(1, new KafkaException("the broker lost the transaction"));
        producers.add(producer);

        assertThat(committer.commit()).isFalse();
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(committer.hasPending()).isTrue();
        assertThat(committer.isFailing()).isTrue();
        assertThat(committer.isDue(true)).as("failures are spaced out").isFalse();

        nanos.addAndGet(Committer.MAX_BACKOFF.toNanos());
        assertThat(committer.commit()).isTrue();
        assertThat(producer.history()).containsExactly(RESULT);
        assertThat(committer.isFailing()).isFalse();
    }

    @Test
    void aCommitThatTimedOutIsResumedAndNeverAborted() {
        FailingProducer producer = new FailingProducer(1, new TimeoutException("commit timed out"));
        producers.add(producer);

        assertThat(committer.commit()).isTrue();

        assertThat(producer.history()).containsExactly(RESULT);
        assertThat(producer.abortsAfterTimeout).isZero();
    }

    @Test
    void aCommitThatKeptTimingOutButLandedIsNotWrittenAgain() {
        FailingProducer first = FailingProducer.timingOut(consumer);
        MockProducer<byte[], byte[]> second = mockProducer();
        producers.add(first);
        producers.add(second);

        assertThat(committer.commit()).isFalse();
        assertThat(first.abortsAfterTimeout).isZero();
        assertThat(first.closed()).isTrue();

        nanos.addAndGet(Committer.MAX_BACKOFF.toNanos());
        assertThat(committer.commit()).isTrue();
        assertThat(second.history()).as("it landed: nothing to write again").isEmpty();
        assertThat(committer.hasPending()).isFalse();
    }

    @Test
    void aCommitThatKeptTimingOutAndDidNotLandIsWrittenAgain() {
        FailingProducer first = FailingProducer.timingOut(null);
        MockProducer<byte[], byte[]> second = mockProducer();
        producers.add(first);
        producers.add(second);

        assertThat(committer.commit()).isFalse();
        nanos.addAndGet(Committer.MAX_BACKOFF.toNanos());
        assertThat(committer.commit()).isTrue();

        assertThat(second.history()).containsExactly(RESULT);
        assertThat(second.consumerGroupOffsetsHistory()).hasSize(1);
    }

    @Test
    void aCommitThatKeptTimingOutIsSettledByThePartitionsStillHeldWhenOthersWereHandedOver() {
        TopicPartition retry = new TopicPartition("slack.call-ops.retry-5s", 0);
        consumer.assign(List.of(OPS, retry));
        ledger.restore(retry, null);
        ledger.start(retry, 0);
        ledger.finish(retry, 0);
        committer.add(retry, List.of(RESULT));
        FailingProducer first = FailingProducer.timingOut(consumer);
        MockProducer<byte[], byte[]> second = mockProducer();
        producers.add(first);
        producers.add(second);
        assertThat(committer.commit()).isFalse();

        // The retry partition went to another instance, which has committed it further since.
        ledger.forget(List.of(retry));
        committer.drop(List.of(retry));
        consumer.commitSync(Map.of(retry, new OffsetAndMetadata(5)));
        nanos.addAndGet(Committer.MAX_BACKOFF.toNanos());

        assertThat(committer.commit()).isTrue();
        assertThat(second.history()).as("it landed, as the partition still held shows").isEmpty();
    }

    @Test
    void anAbortThatFailsReplacesTheProducerAndKeepsTheRecords() {
        FailingProducer first = new FailingProducer(1, new KafkaException("abortable"));
        first.abortTransactionException = new KafkaException("cannot abort either");
        MockProducer<byte[], byte[]> second = mockProducer();
        producers.add(first);
        producers.add(second);

        assertThat(committer.commit()).isFalse();
        nanos.addAndGet(Committer.MAX_BACKOFF.toNanos());
        assertThat(committer.commit()).isTrue();

        assertThat(second.history()).containsExactly(RESULT);
    }

    @Test
    void commitsFailingForLongerThanTheDispatcherWaitsStopIt() {
        producers.add(new FailingProducer(Integer.MAX_VALUE, new KafkaException("the coordinator is gone")));

        assertThat(committer.commit()).isFalse();
        nanos.addAndGet(Committer.GIVE_UP_AFTER.toNanos() / 2);
        assertThat(committer.commit()).as("still within the time it waits").isFalse();
        nanos.addAndGet(Committer.GIVE_UP_AFTER.toNanos());

        assertThatThrownBy(committer::commit).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not commit");
        assertThat(committer.hasPending()).as("nothing was dropped on the way").isTrue();
    }

    @Test
    void aFencedProducerIsFatal() {
        MockProducer<byte[], byte[]> producer = mockProducer();
        producers.add(producer);
        assertThat(committer.commit()).isTrue();
        producer.fenceProducer();
        ledger.start(OPS, 1);
        ledger.finish(OPS, 1);
        committer.add(OPS, List.of(RESULT));

        assertThatThrownBy(committer::commit).isInstanceOf(ProducerFencedException.class);
    }

    @Test
    void recordsOfAPartitionHandedOverAreDropped() {
        producers.add(mockProducer());
        committer.drop(List.of(OPS));
        assertThat(committer.hasPending()).isFalse();
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
