package dev.callbridge.topology;

import dev.callbridge.model.deadletter.DeadLetter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Headers;

/**
 * The largest record the topology writes to each topic: {@link #MAX_RECORD_BYTES}, or less for a
 * topic whose {@code max.message.bytes} is lower, as read from the broker at start-up
 * ({@link #read}) or learned when Kafka refused a record (a topic changed since). One instance is
 * shared through the Kafka Streams configuration: {@link DeadLetterHandler} learns of refusals, and
 * the writers keep their records within the limits.
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

    /** Room for the record batch and record framing around key, value and headers. */
    static final int BATCH_OVERHEAD_BYTES = 512;
    private static final long ADMIN_TIMEOUT_SECONDS = 30;

    private final Map<String, Integer> maxBytesByTopic = new ConcurrentHashMap<>();

    /** Limits for {@code topics} from their {@code max.message.bytes}, as the broker has them now. */
    public static RecordLimits read(Admin admin, Collection<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        RecordLimits limits = new RecordLimits();
        for (Map.Entry<ConfigResource, KafkaFuture<Config>> described : admin.describeConfigs(resources).values().entrySet()) {
            Config config;
            try {
                config = described.getValue().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    // Not there yet (an internal topic Kafka Streams creates): the default limit holds.
                    continue;
                }
                throw e;
            }
            ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry != null && entry.value() != null) {
                limits.maxBytesByTopic.put(described.getKey().name(),
                        Math.min(Integer.parseInt(entry.value()) - BATCH_OVERHEAD_BYTES, MAX_RECORD_BYTES));
            }
        }
        return limits;
    }

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
        int refused = DeadLetter.size(key, value, null);
        maxBytesByTopic.merge(topic, Math.min(refused - 1, MAX_RECORD_BYTES), Math::min);
    }

    /** A record's size as these limits measure it: key, value, and the names and values of its headers. */
    static int size(byte[] key, byte[] value, Headers headers) {
        return DeadLetter.size(key, value, headers);
    }
}
