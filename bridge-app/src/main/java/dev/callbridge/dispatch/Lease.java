package dev.callbridge.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This instance's claim on one partition's operations, from assignment to revocation. A worker
 * takes an operation's turn only under a live lease ({@link #begin}); revoking it stops every
 * operation of the partition that is waiting for its slot, its turn on a worker or its announcement,
 * and {@link #awaitIdle} waits for the turns under way, requests included. What a worker reports
 * names its lease, so a report from a lease since revoked is never taken for one of a later lease
 * of the same partition. So the next owner never sends an operation this one is still sending.
 *
 * <p>A lease paces its operations with the rate budgets of the workspaces its partition number
 * carries ({@link #limiter}), shared with the leases of the same number in the other topics.
 */
final class Lease {

    private final RateLimiter limiter;
    private boolean revoked;
    private int busy;
    /** Operations of this partition on the timer: in flight, but holding no worker. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Announced operations whose request has begun; announced ones not in here were never sent. */
    private final Set<Long> requested = ConcurrentHashMap.newKeySet();

    Lease(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /** The buckets of the workspaces on this partition number, made when this instance was given it. */
    RateLimiter limiter() {
        return limiter;
    }

    synchronized boolean isLive() {
        return !revoked;
    }

    /** Claims a turn for one operation now; {@code false} once the partition is handed over. */
    synchronized boolean begin() {
        if (revoked) {
            return false;
        }
        busy++;
        return true;
    }

    synchronized void end() {
        busy--;
        notifyAll();
    }

    synchronized void revoke() {
        revoked = true;
    }

    /** Waits until no turn under this lease is under way, at most until {@code deadlineNanos} ({@link System#nanoTime}). */
    synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (busy > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    void requesting(long offset) {
        requested.add(offset);
    }

    boolean requested(long offset) {
        return requested.contains(offset);
    }

    AtomicInteger waiting() {
        return waiting;
    }
}
