package dev.callbridge.dispatch;

import dev.callbridge.model.op.SlackMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Paces Slack requests per (workspace, method) so that 429s stay rare. Each bucket is a virtual
 * schedule (GCRA): {@link #reserve} hands out the next free slot, now or in the future, so callers
 * that must wait can park the operation until exactly its slot and the budget is spent evenly.
 * After a 429, {@link #holdUntil} keeps the bucket shut until {@code Retry-After} has passed.
 *
 * <p>The dispatcher keeps one limiter per partition number it holds ({@link #emptySince}): its
 * buckets start empty, since nothing says what the partition's previous owner sent just before, so a
 * workspace handed over is never sent a burst on top of what the previous owner sent.
 */
public final class RateLimiter {

    private final Map<SlackMethod, Budget> budgets;
    private final Budget fallback;
    private final UnaryOperator<String> workspaces;
    /** Nanoseconds since the epoch at which every bucket is empty; {@code Long.MIN_VALUE} for full buckets. */
    private final long emptyAt;
    private final Map<Key, Bucket> buckets = new ConcurrentHashMap<>();
    private final String id = UUID.randomUUID().toString();

    /** Buckets that start full, each workspace named as given ({@code null} as {@code ""}). */
    public RateLimiter(Map<SlackMethod, Budget> budgets, Budget fallback) {
        this(budgets, fallback, workspace -> workspace == null ? "" : workspace, Long.MIN_VALUE);
    }

    private RateLimiter(Map<SlackMethod, Budget> budgets, Budget fallback, UnaryOperator<String> workspaces,
            long emptyAt) {
        this.budgets = Map.copyOf(budgets);
        this.fallback = fallback;
        this.workspaces = workspaces;
        this.emptyAt = emptyAt;
    }

    /**
     * Buckets that are empty at {@code since}: the first request of a (workspace, method) goes one
     * interval after it at the earliest, and credit for a burst builds up only from then on.
     *
     * @param workspaces the name of a team id's bucket, so that the spellings of one workspace share it
     */
    public static RateLimiter emptySince(Map<SlackMethod, Budget> budgets, Budget fallback,
            UnaryOperator<String> workspaces, Instant since) {
        return new RateLimiter(budgets, fallback, workspaces, nanos(since));
    }

    /**
     * Names this limiter, and so the slots it hands out: a slot is good only with the buckets that
     * reserved it, never with the fresh ones of another holder of the partition or of a restarted process.
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
        return buckets.computeIfAbsent(new Key(workspaces.apply(workspace), method),
                key -> new Bucket(budgets.getOrDefault(method, fallback), emptyAt));
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

        Bucket(Budget budget, long emptyAt) {
            this.interval = budget.intervalNanos();
            this.tolerance = interval * (budget.burst() - 1);
            // Empty: as if a full burst had just been sent at emptyAt.
            this.theoreticalArrival = emptyAt == Long.MIN_VALUE ? 0 : emptyAt + tolerance + interval;
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
