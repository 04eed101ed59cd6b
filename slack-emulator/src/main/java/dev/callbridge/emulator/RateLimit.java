package dev.callbridge.emulator;

/**
 * A budget of {@code requests} per window of {@code windowSeconds}; a window opens with the first
 * request after the previous one closed, so a test's burst never straddles a wall-clock boundary.
 */
public record RateLimit(int requests, int windowSeconds) {

    public RateLimit {
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1, was " + requests);
        }
        if (windowSeconds < 1) {
            throw new IllegalArgumentException("window_seconds must be at least 1, was " + windowSeconds);
        }
    }

    public static RateLimit perMinute(int requests) {
        return new RateLimit(requests, 60);
    }

    public static RateLimit perSecond(int requests) {
        return new RateLimit(requests, 1);
    }
}
