package dev.callbridge.dispatch;

/**
 * A request budget for one Slack method in one workspace.
 *
 * @param perMinute sustained requests per minute, the method's Slack tier or a little under it
 * @param burst requests that may go at once after a quiet spell; 1 spaces every request evenly
 */
public record Budget(int perMinute, int burst) {

    public Budget {
        if (perMinute < 1 || burst < 1) {
            throw new IllegalArgumentException("perMinute and burst must be at least 1, got " + perMinute + "/" + burst);
        }
    }

    long intervalNanos() {
        return 60_000_000_000L / perMinute;
    }
}
