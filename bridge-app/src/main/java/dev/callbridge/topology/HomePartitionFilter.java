package dev.callbridge.topology;

import dev.callbridge.model.event.CallEvent;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Lets through the events that are (or are not) already where their call is handled: keyed by their
 * {@code subject} and on the partition {@link CallPartitioner} gives that key. Producers other than
 * Java's (librdkafka's CRC32, round-robin, explicit partitions, null keys) put events elsewhere, and
 * those must go through the repartition topic or their call's results would reach another task.
 */
final class HomePartitionFilter implements FixedKeyProcessor<String, CallEvent, CallEvent> {

    private final int partitions;
    private final boolean home;
    private FixedKeyProcessorContext<String, CallEvent> context;

    /**
     * @param partitions the input topic's partition count; 0 when unknown, so no event counts as home
     * @param home whether to let through the events at home, or the others
     */
    HomePartitionFilter(int partitions, boolean home) {
        this.partitions = partitions;
        this.home = home;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, CallEvent> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, CallEvent> record) {
        if (isHome(record) == home) {
            context.forward(record);
        }
    }

    private boolean isHome(FixedKeyRecord<String, CallEvent> record) {
        String subject = record.value().subject();
        return partitions > 0
                && subject.equals(record.key())
                && context.recordMetadata().map(m -> m.partition() == CallPartitioner.partition(subject, partitions))
                        .orElse(false);
    }
}
