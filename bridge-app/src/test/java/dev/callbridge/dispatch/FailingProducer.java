package dev.callbridge.dispatch;

import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A mock producer whose commits fail as a real one's do: after a commit timed out, only another
 * commit is allowed (the real producer's abort throws then), and a commit that "lands anyway"
 * writes its offsets to the group although the producer never heard back.
 */
final class FailingProducer extends MockProducer<byte[], byte[]> {
    volatile int commitFailures;
    RuntimeException failure;
    MockConsumer<byte[], byte[]> landsAnyway;
    int abortsAfterTimeout;
    /** Fails only commits that carry records, not those of offsets alone. */
    boolean onlyWithRecords;
    private boolean timedOut;

    /** Fails the next {@code commitFailures} commits with {@code failure}. */
    FailingProducer(int commitFailures, RuntimeException failure) {
        super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        this.commitFailures = commitFailures;
        this.failure = failure;
    }

    /** Every commit times out; with {@code landsAnyway}, each still writes its offsets to that consumer's group. */
    static FailingProducer timingOut(MockConsumer<byte[], byte[]> landsAnyway) {
        FailingProducer producer = new FailingProducer(Integer.MAX_VALUE, new TimeoutException("commit timed out"));
        producer.landsAnyway = landsAnyway;
        return producer;
    }

    @Override
    public void commitTransaction() {
        if (commitFailures > 0 && (!onlyWithRecords || !uncommittedRecords().isEmpty())) {
            commitFailures--;
            if (landsAnyway != null) {
                Map<TopicPartition, OffsetAndMetadata> offsets = uncommittedOffsets().values().iterator().next();
                landsAnyway.commitSync(offsets);
            }
            timedOut = failure instanceof TimeoutException;
            throw failure;
        }
        timedOut = false;
        super.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        if (timedOut) {
            abortsAfterTimeout++;
            throw new IllegalStateException("the commit timed out and must be retried");
        }
        super.abortTransaction();
    }
}
