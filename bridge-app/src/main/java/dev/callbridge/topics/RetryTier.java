package dev.callbridge.topics;

import java.time.Duration;

/**
 * One delay topic for operations that must wait: it hands each record back {@code delay} after it
 * was written (or at its due time, if sooner), so its records come due in the order they were
 * written. See {@link Topics#parkingTierFor}.
 */
public record RetryTier(String topic, Duration delay) {}
