package dev.callbridge.operator;

import dev.callbridge.model.state.CallState;
import dev.callbridge.topics.Topic;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Looks up one call's current view in {@code slack.calls}: reads the one partition its key maps to
 * with Kafka's default partitioner, and keeps the last value for the key.
 */
public final class CallViews implements AutoCloseable {

    private final Topic<String, CallState> calls;
    private final TopicReader reader;

    public CallViews(Map<String, Object> clientProperties, Topic<String, CallState> calls) {
        this.calls = calls;
        this.reader = new TopicReader(clientProperties);
    }

    /** The call's latest view, or empty when there is none (never seen, forgotten, or expired). */
    public Optional<CallState> latest(String call) {
        byte[] key = calls.keySerde().serializer().serialize(calls.name(), call);
        int count = reader.partitions(calls.name()).size();
        TopicPartition partition = new TopicPartition(calls.name(), Utils.toPositive(Utils.murmur2(key)) % count);
        AtomicReference<byte[]> last = new AtomicReference<>();
        reader.readToEnd(List.of(partition), record -> {
            if (Arrays.equals(record.key(), key)) {
                last.set(record.value());
            }
        });
        return Optional.ofNullable(last.get())
                .map(value -> calls.valueSerde().deserializer().deserialize(calls.name(), value));
    }

    @Override
    public void close() {
        reader.close();
    }
}
