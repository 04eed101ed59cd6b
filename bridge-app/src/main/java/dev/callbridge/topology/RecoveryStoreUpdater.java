package dev.callbridge.topology;

import dev.callbridge.model.state.CallState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
final class RecoveryStoreUpdater implements Processor<String, CallState, Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryStoreUpdater.class);
    static final Duration EXPIRY_INTERVAL = Duration.ofHours(1);

    private final String storeName;
    private final Duration retention;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, CallState> store;
    private long nextExpiryMs;

    RecoveryStoreUpdater(String storeName, Duration retention) {
        this.storeName = storeName;
        this.retention = retention;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.nextExpiryMs = context.currentSystemTimeMs() + EXPIRY_INTERVAL.toMillis();
    }

    @Override
    public void process(Record<String, CallState> record) {
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
        try (KeyValueIterator<String, CallState> views = store.all()) {
            while (views.hasNext()) {
                var view = views.next();
                if (isExpired(view.value, retention, now)) {
                    expired.add(view.key);
                }
            }
        }
        expired.forEach(store::delete);
        if (!expired.isEmpty()) {
            LOG.info("Recovery store: dropped {} call views older than {}", expired.size(), retention);
        }
    }

    static boolean isExpired(CallState view, Duration retention, Instant now) {
        return view.lastActivityAt().plus(retention).isBefore(now);
    }
}
