package dev.callbridge.emulator;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The budget of each method; a method without one is unlimited. {@code chat.postMessage} is
 * counted per (workspace, channel), every other method per workspace, as Slack counts them.
 */
public record RateLimits(Map<ApiMethod, RateLimit> limits) {

    /** Names accepted by {@link #preset(String)}. */
    public static final String PRESETS = "slack, sdk, unlimited";

    private static final ApiMethod[] CALLS_METHODS = {
        ApiMethod.CALLS_ADD, ApiMethod.CALLS_INFO, ApiMethod.CALLS_UPDATE,
        ApiMethod.CALLS_PARTICIPANTS_ADD, ApiMethod.CALLS_PARTICIPANTS_REMOVE, ApiMethod.CALLS_END
    };

    public RateLimits {
        EnumMap<ApiMethod, RateLimit> copy = new EnumMap<>(ApiMethod.class);
        copy.putAll(limits);
        limits = Collections.unmodifiableMap(copy);
    }

    /**
     * Slack's documented budgets: {@code calls.*}, {@code chat.update} and {@code conversations.replies}
     * in Tier 3, one message per second per channel.
     */
    public static RateLimits slack() {
        return withCallsIn(Tier.TIER_3);
    }

    /** The budgets the Slack Java SDK assumes: {@code calls.*} in Tier 2, otherwise as {@link #slack()}. */
    public static RateLimits sdk() {
        return withCallsIn(Tier.TIER_2);
    }

    public static RateLimits unlimited() {
        return new RateLimits(Map.of());
    }

    /**
     * One of the named presets.
     *
     * @throws IllegalArgumentException naming the accepted presets when {@code name} is none of them
     */
    public static RateLimits preset(String name) {
        return switch (name) {
            case "slack" -> slack();
            case "sdk" -> sdk();
            case "unlimited" -> unlimited();
            default -> throw new IllegalArgumentException(
                    "unknown rate-limit preset '" + name + "', expected one of: " + PRESETS);
        };
    }

    public RateLimits with(ApiMethod method, RateLimit limit) {
        EnumMap<ApiMethod, RateLimit> changed = new EnumMap<>(ApiMethod.class);
        changed.putAll(limits);
        changed.put(method, limit);
        return new RateLimits(changed);
    }

    public RateLimits with(ApiMethod method, Tier tier) {
        return with(method, tier.limit());
    }

    public Optional<RateLimit> forMethod(ApiMethod method) {
        return Optional.ofNullable(limits.get(method));
    }

    private static RateLimits withCallsIn(Tier tier) {
        Map<ApiMethod, RateLimit> limits = Arrays.stream(CALLS_METHODS)
                .collect(Collectors.toMap(m -> m, m -> tier.limit()));
        // auth.test is a "special" method whose budget Slack states only as generous: Tier 4 stands in.
        limits.put(ApiMethod.AUTH_TEST, Tier.TIER_4.limit());
        limits.put(ApiMethod.CHAT_POST_MESSAGE, RateLimit.perSecond(1));
        limits.put(ApiMethod.CHAT_UPDATE, Tier.TIER_3.limit());
        limits.put(ApiMethod.CONVERSATIONS_REPLIES, Tier.TIER_3.limit());
        return new RateLimits(limits);
    }
}
