package dev.callbridge.emulator;

/** Slack's published rate-limit tiers for Web API methods, in requests per minute. */
public enum Tier {
    TIER_1(1),
    TIER_2(20),
    TIER_3(50),
    TIER_4(100);

    private final int perMinute;

    Tier(int perMinute) {
        this.perMinute = perMinute;
    }

    public int perMinute() {
        return perMinute;
    }

    public RateLimit limit() {
        return RateLimit.perMinute(perMinute);
    }
}
