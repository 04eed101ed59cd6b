package dev.callbridge.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers recent stream-thread failures, so that a thread that keeps failing (as on the same record,
 * again and again) makes the bridge unhealthy instead of being replaced for ever behind a healthy
 * {@code /healthz}. Unhealthy while {@link #THRESHOLD} failures fall within {@link #WINDOW}.
 */
final class StreamThreadFailures {

    static final int THRESHOLD = 3;
    static final Duration WINDOW = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    private final Clock clock;
    private final Deque<Instant> recent = new ArrayDeque<>();

    StreamThreadFailures(Clock clock) {
        this.clock = clock;
    }

    /** One stream thread failed with {@code failure}; Kafka Streams replaces it. */
    synchronized void failed(Throwable failure) {
        Instant now = clock.instant();
        forgetBefore(now.minus(WINDOW));
        recent.addLast(now);
        if (recent.size() >= THRESHOLD) {
            LOG.error("Stream threads failed {} times in the last {}, so /healthz reports unhealthy until they stop;"
                    + " the thread is replaced again. Latest failure:", recent.size(), WINDOW, failure);
        } else {
            LOG.error("A stream thread failed; replacing it", failure);
        }
    }

    /** Whether fewer than {@link #THRESHOLD} failures fall within the last {@link #WINDOW}. */
    synchronized boolean healthy() {
        forgetBefore(clock.instant().minus(WINDOW));
        return recent.size() < THRESHOLD;
    }

    private void forgetBefore(Instant cutoff) {
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(cutoff)) {
            recent.removeFirst();
        }
    }
}
