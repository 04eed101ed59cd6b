package dev.callbridge.topology;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A call's views on {@code slack.calls}, written once per commit: of the changes a call goes through
 * between two commits, only the last one's view is written, when the call store's record cache
 * writes that change to the store and its changelog. Both happen before the commit, in its
 * transaction, so what a commit makes visible is the same as with a view per change, less the
 * versions in between.
 *
 * <p>This relies on the record cache's flush listener, the hook Kafka Streams' own tables use to
 * forward a key's last value on commit; it is not a public API. Where the store has no cache (or
 * that hook is missing), every view is written at once, as before.
 */
final class ViewsAtCommit {

    /** Writes a view now; {@code bytes} {@code null} for a tombstone. */
    interface Writer {
        void write(String call, byte[] bytes, long timestamp);
    }

    private record Pending(byte[] bytes, long timestamp) {}

    private final Writer writer;
    private final Map<String, Pending> pending = new HashMap<>();
    private boolean atCommit;

    ViewsAtCommit(Writer writer) {
        this.writer = writer;
    }

    /**
     * Hooks the views onto {@code store}'s cache flushes; call from the processor's {@code init}, when
     * its node is the one the context forwards from. Returns whether views now wait for the commit.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    boolean attach(StateStore store, ProcessorContext<?, ?> context) {
        pending.clear();
        atCommit = false;
        if (!(store instanceof WrappedStateStore wrapped) || !(context instanceof InternalProcessorContext internal)) {
            return false;
        }
        ProcessorNode<?, ?, ?, ?> node = internal.currentNode();
        if (node == null) {
            return false;
        }
        CacheFlushListener<String, byte[]> listener = record -> {
            // The cache flushes during the commit, when no node is current: forward from the processor's.
            ProcessorNode<?, ?, ?, ?> current = internal.currentNode();
            internal.setCurrentNode(node);
            try {
                flushed(record.key(), record.value().newValue);
            } finally {
                internal.setCurrentNode(current);
            }
        };
        atCommit = wrapped.setFlushListener(listener, false);
        return atCommit;
    }

    /** Views wait for {@link #flushed}, which the test calls itself: the rules without a store. */
    void waitForFlushes() {
        atCommit = true;
    }

    /**
     * The call changed to {@code bytes}; call before the store's put, since a full cache evicts (and
     * so flushes) entries while it puts, the new one among them. A tombstone is written at once, and
     * replaces any view still waiting: the cache does not flush the delete of a key the store never held.
     */
    void changed(String call, byte[] bytes, long timestamp) {
        if (!atCommit || bytes == null) {
            pending.remove(call);
            writer.write(call, bytes, timestamp);
        } else {
            pending.put(call, new Pending(bytes, timestamp));
        }
    }

    /** The call leaves the store while its last view stays: a view still waiting is written now. */
    void leaving(String call) {
        Pending waiting = pending.remove(call);
        if (waiting != null) {
            writer.write(call, waiting.bytes(), waiting.timestamp());
        }
    }

    /** Views waiting for the commit. */
    int waiting() {
        return pending.size();
    }

    /**
     * The cache wrote the call's last change, {@code stored}: its waiting view goes with it, with the
     * bytes the store now holds (the same, as long as every change is announced before its put).
     */
    void flushed(String call, byte[] stored) {
        Pending waiting = pending.remove(call);
        if (waiting != null) {
            writer.write(call, stored != null ? stored : waiting.bytes(), waiting.timestamp());
        }
    }
}
