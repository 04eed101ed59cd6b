package dev.callbridge.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** The largest record the topology writes, and how it measures one. */
public final class RecordLimits {

    /**
     * The most one record the topology writes may take, key, value and headers together: Kafka's
     * default limits ({@code max.request.size} 1 MiB, {@code max.message.bytes} 1 MiB + 12) less room
     * for the record batch around it.
     */
    public static final int MAX_RECORD_BYTES = 1_000_000;

    private RecordLimits() {}

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
