package dev.callbridge.dispatch;

/**
 * Where an operation stands in its retries.
 *
 * @param attempt the number of the attempt about to be made, from 1
 * @param rateLimited how many 429 answers it has had so far
 */
public record Attempts(int attempt, int rateLimited) {

    public static final Attempts FIRST = new Attempts(1, 0);

    Attempts afterFailure() {
        return new Attempts(attempt + 1, rateLimited);
    }

    Attempts afterRateLimit() {
        return new Attempts(attempt + 1, rateLimited + 1);
    }
}
