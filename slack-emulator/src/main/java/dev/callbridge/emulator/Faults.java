package dev.callbridge.emulator;

/**
 * Faults injected into authenticated Web API requests. Each request draws one number from a
 * sequence fixed by {@code seed}, so a given seed and request order give the same faults every run;
 * the rates are shares of that draw and may add up to at most 1.
 *
 * @param seed fixes the sequence of draws; changing the settings restarts the sequence
 * @param rateLimitBurstRate share of requests that start a burst of HTTP 429 answers
 * @param rateLimitBurstLength how many consecutive requests of the same workspace and method the
 *     burst answers with 429, the one that started it included
 * @param rateLimitRetryAfterSeconds the {@code Retry-After} of a burst's answers
 * @param serverErrorRate share of requests answered HTTP 503 without being applied
 * @param slowRate share of requests applied at once but answered only after {@code slowMillis}
 * @param slowMillis how long a slow answer is held back
 * @param dropRate share of requests whose connection is closed without an answer
 * @param dropAfterApply whether a dropped request is applied before its connection is closed; the
 *     default, {@code true}, is the harsher case: a client that retries repeats a request that
 *     already took effect
 */
public record Faults(
        long seed,
        double rateLimitBurstRate,
        int rateLimitBurstLength,
        int rateLimitRetryAfterSeconds,
        double serverErrorRate,
        double slowRate,
        long slowMillis,
        double dropRate,
        boolean dropAfterApply) {

    public Faults {
        requireRate("rate_limit_burst_rate", rateLimitBurstRate);
        requireRate("server_error_rate", serverErrorRate);
        requireRate("slow_rate", slowRate);
        requireRate("drop_rate", dropRate);
        if (rateLimitBurstRate + serverErrorRate + slowRate + dropRate > 1.0) {
            throw new IllegalArgumentException("the fault rates add up to more than 1");
        }
        if (rateLimitBurstLength < 1) {
            throw new IllegalArgumentException(
                    "rate_limit_burst_length must be at least 1, was " + rateLimitBurstLength);
        }
        if (rateLimitRetryAfterSeconds < 1) {
            throw new IllegalArgumentException(
                    "rate_limit_retry_after_seconds must be at least 1, was " + rateLimitRetryAfterSeconds);
        }
        if (slowMillis < 0) {
            throw new IllegalArgumentException("slow_millis must not be negative, was " + slowMillis);
        }
    }

    /** No faults at all. */
    public static Faults none() {
        return new Faults(0, 0, 1, 1, 0, 0, 0, 0, true);
    }

    public Faults withSeed(long newSeed) {
        return new Faults(newSeed, rateLimitBurstRate, rateLimitBurstLength, rateLimitRetryAfterSeconds,
                serverErrorRate, slowRate, slowMillis, dropRate, dropAfterApply);
    }

    public Faults withRateLimitBursts(double rate, int length, int retryAfterSeconds) {
        return new Faults(seed, rate, length, retryAfterSeconds,
                serverErrorRate, slowRate, slowMillis, dropRate, dropAfterApply);
    }

    public Faults withServerErrors(double rate) {
        return new Faults(seed, rateLimitBurstRate, rateLimitBurstLength, rateLimitRetryAfterSeconds,
                rate, slowRate, slowMillis, dropRate, dropAfterApply);
    }

    public Faults withSlowAnswers(double rate, long millis) {
        return new Faults(seed, rateLimitBurstRate, rateLimitBurstLength, rateLimitRetryAfterSeconds,
                serverErrorRate, rate, millis, dropRate, dropAfterApply);
    }

    public Faults withDrops(double rate, boolean afterApply) {
        return new Faults(seed, rateLimitBurstRate, rateLimitBurstLength, rateLimitRetryAfterSeconds,
                serverErrorRate, slowRate, slowMillis, rate, afterApply);
    }

    private static void requireRate(String name, double rate) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, was " + rate);
        }
    }
}
