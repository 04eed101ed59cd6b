package dev.callbridge.topology;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The largest record the topology writes to each topic: {@link #MAX_RECORD_BYTES}, or less for a
 * topic that Kafka has refused a smaller record for (one whose {@code max.message.bytes} is lower).
 * One instance is shared through the Kafka Streams configuration: {@link DeadLetterHandler} learns
 * of refusals, and the writers keep their records within the limits.
 */
public final class RecordLimits {

    /** Config key under which Kafka Streams hands the shared instance to the handlers and processors. */
    public static final String CONFIG_KEY = "bridge.record-limits";

    /**
     * The most one record the topology writes may take, key, value and headers together: Kafka's
     * default limits ({@code max.request.size} 1 MiB, {@code max.message.bytes} 1 MiB + 12) less room
     * for the record batch around it.
     */
    public static final int MAX_RECORD_BYTES = 1_000_000;

    private final Map<String, Integer> maxBytesByTopic = new ConcurrentHashMap<>();

    /** The limits the Kafka Streams configuration carries, or fresh ones when it carries none. */
    static RecordLimits from(Map<String, ?> configs) {
        return configs.get(CONFIG_KEY) instanceof RecordLimits shared ? shared : new RecordLimits();
    }

    /** The most bytes a record for {@code topic} may take. */
    int maxBytes(String topic) {
        return maxBytesByTopic.getOrDefault(topic, MAX_RECORD_BYTES);
    }

    /**
     * Kafka refused a record for {@code topic} as too large: from now on records for it stay below
     * that record's key and value alone, which every measure of the same record reaches, headers or not.
     */
    void refused(String topic, byte[] key, byte[] value) {
        int refused = length(key) + length(value);
        maxBytesByTopic.merge(topic, Math.min(refused - 1, MAX_RECORD_BYTES), Math::min);
    }

    /** A record's size as these limits measure it: key, value, and the names and values of its headers. */
    static int size(byte[] key, byte[] value, Headers headers) {
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
}
