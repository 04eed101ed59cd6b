package dev.callbridge.config;

import java.time.Duration;

/**
 * One delay topic for operations that must wait: it takes waits up to {@code delay}, so a long wait
 * never sits in front of a short one.
 */
public record RetryTier(String topic, Duration delay) {}
