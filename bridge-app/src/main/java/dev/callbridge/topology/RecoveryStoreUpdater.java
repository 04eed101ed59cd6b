package dev.callbridge.topology;

import dev.callbridge.model.state.CallState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global recovery store in step with {@code slack.calls}: every call's last view, on every
 * instance, where a full application reset does not reach. Views older than the retention are
 * dropped about once an hour, as the topic's own retention drops them, so the store does not grow
 * with every call ever seen.
 */
final class RecoveryStoreUpdater implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryStoreUpdater.class);
    static final Duration EXPIRY_INTERVAL = Duration.ofHours(1);

    private final String storeName;
    private final Duration retention;
    private final Deserializer<CallState> views;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;
    private long nextExpiryMs;

    /** @param views reads a stored view, which is done only in the hourly expiry pass */
    RecoveryStoreUpdater(String storeName, Duration retention, Deserializer<CallState> views) {
        this.storeName = storeName;
        this.retention = retention;
        this.views = views;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.nextExpiryMs = context.currentSystemTimeMs() + EXPIRY_INTERVAL.toMillis();
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
        long now = context.currentSystemTimeMs();
        // Global processors cannot schedule punctuations, so the expiry pass rides on the updates.
        if (now >= nextExpiryMs) {
            nextExpiryMs = now + EXPIRY_INTERVAL.toMillis();
            expire(Instant.ofEpochMilli(now));
        }
    }

    private void expire(Instant now) {
        List<String> expired = new ArrayList<>();
        int unreadable = 0;
        try (KeyValueIterator<String, byte[]> stored = store.all()) {
            while (stored.hasNext()) {
                var view = stored.next();
                CallState state;
                try {
                    state = views.deserialize(null, view.value);
                } catch (SerializationException e) {
                    // Never taken up either (see ReconcileProcessor#recover), so it only takes room.
                    unreadable++;
                    expired.add(view.key);
                    continue;
                }
                if (isExpired(state, retention, now)) {
                    expired.add(view.key);
                }
            }
        }
        expired.forEach(store::delete);
        if (!expired.isEmpty()) {
            LOG.info("Recovery store: dropped {} call views older than {} ({} of them unreadable)", expired.size(),
                    retention, unreadable);
        }
    }

    static boolean isExpired(CallState view, Duration retention, Instant now) {
        return view.lastActivityAt().plus(retention).isBefore(now);
    }
}
