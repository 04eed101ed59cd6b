package dev.callbridge.dispatch;

/**
 * This instance's claim on one partition's operations, from assignment to revocation. A request goes
 * out only under a live lease ({@link #beginSend}); revoking it stops every operation of the
 * partition that is waiting for its slot, its turn on a worker or its announcement, and
 * {@link #awaitIdle} waits for the requests already out. So the next owner never sends an operation
 * this one is still sending, however long the waits before the request were.
 */
final class Lease {

    private boolean revoked;
    private int sending;

    synchronized boolean isLive() {
        return !revoked;
    }

    /** Claims the right to send one request now; {@code false} once the partition is handed over. */
    synchronized boolean beginSend() {
        if (revoked) {
            return false;
        }
        sending++;
        return true;
    }

    synchronized void endSend() {
        sending--;
        notifyAll();
    }

    synchronized void revoke() {
        revoked = true;
    }

    /** Waits until no request under this lease is out, at most until {@code deadlineNanos} ({@link System#nanoTime}). */
    synchronized boolean awaitIdle(long deadlineNanos) throws InterruptedException {
        while (sending > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
