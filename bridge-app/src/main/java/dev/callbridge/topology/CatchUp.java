package dev.callbridge.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * How the reconciler folds a call's backlog into its {@code calls.add}. When an event is read
 * {@code behindAfter} or more after it was written, the bridge is catching up, and what followed the
 * call's start is already in the input: its {@code calls.add} is held until the task has read events
 * {@code hold} later in event time than the call's first held event, or {@code hold} has passed on the
 * wall clock, or the call has ended; it then carries everyone on the call, instead of a request for each
 * change. Live traffic, read as it is written, is never held.
 *
 * @param behindAfter how old (by its record timestamp) an event must be for its call to be held
 * @param hold how long a call is held at most, in event time and in wall-clock time; zero turns holding off
 */
public record CatchUp(Duration behindAfter, Duration hold) {

    /** Nothing held: every call is added as soon as its start is read. */
    public static final CatchUp OFF = new CatchUp(Duration.ofSeconds(2), Duration.ZERO);

    public CatchUp {
        Objects.requireNonNull(behindAfter, "behindAfter");
        Objects.requireNonNull(hold, "hold");
        if (behindAfter.isNegative() || behindAfter.isZero()) {
            throw new IllegalArgumentException("behindAfter must be positive, was " + behindAfter);
        }
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold must not be negative, was " + hold);
        }
    }

    public boolean enabled() {
        return !hold.isZero();
    }

    /** Whether an event written at {@code recordTimestampMs} and read at {@code nowMs} is read behind. */
    boolean behind(long recordTimestampMs, long nowMs) {
        return enabled() && nowMs - recordTimestampMs >= behindAfter.toMillis();
    }
}
