package dev.callbridge.emulator;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Counts requests per (workspace, method) — per (workspace, channel) for {@code chat.postMessage} —
 * against their {@link RateLimits}. Each counter is swapped atomically, so the count is exact under
 * any concurrency and no request waits on another key's counter.
 */
final class RateLimiter {

    private final LongSupplier nanoTime;
    private final ConcurrentMap<Key, AtomicReference<Window>> windows = new ConcurrentHashMap<>();
    private volatile RateLimits limits;

    RateLimiter(RateLimits limits, LongSupplier nanoTime) {
        this.limits = limits;
        this.nanoTime = nanoTime;
    }

    RateLimits limits() {
        return limits;
    }

    /** Replaces the budgets; every window starts afresh under them. */
    void limits(RateLimits newLimits) {
        limits = newLimits;
        windows.clear();
    }

    void clear() {
        windows.clear();
    }

    /**
     * Counts one request if its budget has room.
     *
     * @param channel the channel of a {@code chat.postMessage}; ignored for other methods
     * @return empty when the request is admitted; otherwise the whole seconds until its window closes
     */
    OptionalInt admit(String teamId, ApiMethod method, String channel) {
        Optional<RateLimit> limit = limits.forMethod(method);
        if (limit.isEmpty()) {
            return OptionalInt.empty();
        }
        Key key = new Key(teamId, method, method == ApiMethod.CHAT_POST_MESSAGE ? channel : "");
        long now = nanoTime.getAsLong();
        long windowNanos = TimeUnit.SECONDS.toNanos(limit.get().windowSeconds());
        Window window = windows.computeIfAbsent(key, k -> new AtomicReference<>(Window.CLOSED))
                .updateAndGet(current -> current.next(now, windowNanos, limit.get().requests()));
        if (window.admitted()) {
            return OptionalInt.empty();
        }
        long remaining = window.startNanos() + windowNanos - now;
        return OptionalInt.of((int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(remaining + 999_999_999L)));
    }

    private record Key(String teamId, ApiMethod method, String channel) {}

    /** One key's current window, and whether the request that produced this state was admitted. */
    private record Window(long startNanos, int count, boolean admitted) {

        static final Window CLOSED = new Window(0, 0, false);

        Window next(long now, long windowNanos, int budget) {
            if (count == 0 || now - startNanos >= windowNanos) {
                return new Window(now, 1, true);
            }
            return count < budget ? new Window(startNanos, count + 1, true) : new Window(startNanos, count, false);
        }
    }
}
