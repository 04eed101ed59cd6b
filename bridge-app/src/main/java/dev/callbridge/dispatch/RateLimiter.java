package dev.callbridge.dispatch;

import dev.callbridge.model.op.SlackMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paces Slack requests per (workspace, method) so that 429s stay rare. Each bucket is a virtual
 * schedule (GCRA): {@link #reserve} hands out the next free slot, now or in the future, so callers
 * that must wait can park the operation until exactly its slot and the budget is spent evenly.
 * After a 429, {@link #holdUntil} keeps the bucket shut until {@code Retry-After} has passed.
 */
public final class RateLimiter {

    private final Map<SlackMethod, Budget> budgets;
    private final Budget fallback;
    private final Map<Key, Bucket> buckets = new ConcurrentHashMap<>();
    private final String id = java.util.UUID.randomUUID().toString();

    public RateLimiter(Map<SlackMethod, Budget> budgets, Budget fallback) {
        this.budgets = Map.copyOf(budgets);
        this.fallback = fallback;
    }

    /**
     * Names this limiter, and so the slots it hands out: a slot is good only with the buckets that
     * reserved it, never with the fresh ones of a restarted process.
     */
    public String id() {
        return id;
    }

    private record Key(String workspace, SlackMethod method) {}

    /** Reserves the next request slot for the method in the workspace and returns when it begins. */
    public Instant reserve(String workspace, SlackMethod method, Instant now) {
        return Instant.EPOCH.plusNanos(bucket(workspace, method).reserve(nanos(now)));
    }

    /** Whether a slot reserved earlier may still be used at {@code now}: no 429 has shut the bucket since. */
    public boolean isOpen(String workspace, SlackMethod method, Instant now) {
        return bucket(workspace, method).isOpen(nanos(now));
    }

    /** Shuts the bucket until {@code until}, after Slack answered 429 with {@code Retry-After}. */
    public void holdUntil(String workspace, SlackMethod method, Instant until) {
        bucket(workspace, method).holdUntil(nanos(until));
    }

    private Bucket bucket(String workspace, SlackMethod method) {
        return buckets.computeIfAbsent(new Key(workspace == null ? "" : workspace, method),
                key -> new Bucket(budgets.getOrDefault(method, fallback)));
    }

    private static long nanos(Instant instant) {
        return Duration.between(Instant.EPOCH, instant).toNanos();
    }

    /** Virtual scheduling for one bucket; all times in nanoseconds since the epoch. */
    private static final class Bucket {
        private final long interval;
        private final long tolerance;
        private long theoreticalArrival;
        private long heldUntil;

        Bucket(Budget budget) {
            this.interval = budget.intervalNanos();
            this.tolerance = interval * (budget.burst() - 1);
        }

        synchronized long reserve(long now) {
            long start = Math.max(now, Math.max(heldUntil, theoreticalArrival - tolerance));
            theoreticalArrival = Math.max(theoreticalArrival, start) + interval;
            return start;
        }

        synchronized boolean isOpen(long now) {
            return now >= heldUntil;
        }

        synchronized void holdUntil(long until) {
            heldUntil = Math.max(heldUntil, until);
            // After the hold, one request goes first; the rest follow at the sustained pace.
            theoreticalArrival = Math.max(theoreticalArrival, heldUntil + tolerance);
        }
    }
}
