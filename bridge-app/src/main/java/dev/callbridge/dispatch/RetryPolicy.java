package dev.callbridge.dispatch;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before retrying a transient failure: exponential from {@code baseDelay},
 * capped at {@code maxDelay}, with "equal jitter" (half fixed, half random) so that many
 * operations failing together do not come back together.
 *
 * @param maxAttempts attempts allowed for transient failures before the operation is dead-lettered
 * @param maxRateLimited 429 answers tolerated for one operation; rate limits pass, so this is generous
 */
public record RetryPolicy(Duration baseDelay, Duration maxDelay, int maxAttempts, int maxRateLimited) {

    public RetryPolicy {
        if (baseDelay.isNegative() || baseDelay.isZero() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 < baseDelay <= maxDelay, got " + baseDelay + " and " + maxDelay);
        }
        if (maxAttempts < 1 || maxRateLimited < 1) {
            throw new IllegalArgumentException("maxAttempts and maxRateLimited must be at least 1");
        }
    }

    /** The wait after failed attempt number {@code attempt} (1 for the first). */
    public Duration backoff(int attempt, DoubleSupplier random) {
        long ceiling = baseDelay.toMillis() << Math.min(attempt - 1, 30);
        if (ceiling <= 0 || ceiling > maxDelay.toMillis()) {
            ceiling = maxDelay.toMillis();
        }
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
    }
}
