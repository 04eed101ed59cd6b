package dev.callbridge.model.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Makes dead letters, for the topology and the dispatcher alike: the original key, value and headers
 * (less any {@code dlt.*} of an earlier dead letter and any header the caller owns), then the
 * {@link DeadLetterHeaders} naming the reason and where the record came from. A dead letter that
 * would not fit its topic keeps only the key and the {@code dlt.*} headers.
 */
public final class DeadLetterWriter {

    /** Keys longer than this are dropped with the value when a dead letter has to shrink. */
    public static final int MAX_KEPT_KEY_BYTES = 1024;

    private final Clock clock;

    public DeadLetterWriter(Clock clock) {
        this.clock = clock;
    }

    /** Where the record was read, and when it was written there. */
    public record Source(String topic, int partition, long offset, long timestamp) {}

    /**
     * @param droppedPrefix headers whose names start with it are not copied (the caller's own
     *     bookkeeping, such as the dispatcher's {@code dispatch.}); {@code null} for none
     * @param extra headers added after the {@code dlt.*} ones, such as the Slack method
     * @param maxBytes the most the dead-letter topic takes in one record
     * @return the dead letter, and whether its original value had to be dropped
     */
    public Written write(String topic, Source source, byte[] key, byte[] value, Headers original, String droppedPrefix,
            String reason, String detail, Headers extra, int maxBytes) {
        Headers kept = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                boolean dropped = header.key().startsWith("dlt.")
                        || (droppedPrefix != null && header.key().startsWith(droppedPrefix));
                if (!dropped) {
                    kept.add(header);
                }
            }
        }
        String text = detail == null ? reason : detail;
        if (text.length() > DeadLetterHeaders.MAX_DETAIL_CHARS) {
            text = text.substring(0, DeadLetterHeaders.MAX_DETAIL_CHARS);
        }
        Headers added = new RecordHeaders();
        added.add(DeadLetterHeaders.REASON, utf8(reason));
        added.add(DeadLetterHeaders.DETAIL, utf8(text));
        added.add(DeadLetterHeaders.TOPIC, utf8(source.topic()));
        added.add(DeadLetterHeaders.PARTITION, utf8(Integer.toString(source.partition())));
        added.add(DeadLetterHeaders.OFFSET, utf8(Long.toString(source.offset())));
        added.add(DeadLetterHeaders.AT, utf8(clock.instant().toString()));
        if (extra != null) {
            extra.forEach(added::add);
        }
        int originalBytes = size(null, value, kept);
        if (size(key, value, kept) + size(null, null, added) > maxBytes) {
            added.add(DeadLetterHeaders.ORIGINAL_DROPPED, utf8(Integer.toString(originalBytes)));
            byte[] keptKey = key != null && key.length <= MAX_KEPT_KEY_BYTES ? key : null;
            return new Written(new ProducerRecord<>(topic, null, source.timestamp(), keptKey, null, added), originalBytes);
        }
        added.forEach(kept::add);
        return new Written(new ProducerRecord<>(topic, null, source.timestamp(), key, value, kept), -1);
    }

    /**
     * A dead letter ready to produce.
     *
     * @param droppedBytes the size of the original value and headers left out, or -1 when all was kept
     */
    public record Written(ProducerRecord<byte[], byte[]> record, int droppedBytes) {

        public boolean originalDropped() {
            return droppedBytes >= 0;
        }
    }

    /** The bytes a record's key, value and headers take, as Kafka counts them against its limits (less framing). */
    public static int size(byte[] key, byte[] value, Headers headers) {
        int size = length(key) + length(value);
        if (headers != null) {
            for (Header header : headers) {
                size += header.key().getBytes(StandardCharsets.UTF_8).length + length(header.value());
            }
        }
        return size;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
