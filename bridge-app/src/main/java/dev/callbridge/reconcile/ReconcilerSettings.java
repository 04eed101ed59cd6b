package dev.callbridge.reconcile;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The reconciler's knobs.
 *
 * @param defaultTeamId workspace for calls whose {@code call.started} names none; {@code null} lets
 *     the dispatcher use its default token
 * @param defaultChannel channel for the call block when {@code call.started} names none; {@code null}
 *     posts no block for such calls
 * @param defaultCreatedBy Slack user shown as the call's creator when {@code call.started} names
 *     none; Slack requires one for calls added with a bot token
 * @param staleAfter a call with no event for this long is ended by the sweeper
 * @param endedRetention how long a finished call is remembered, to ignore its late and replayed
 *     events, before the sweeper forgets it
 * @param dedupeWindow how many recent event ids per call are kept to drop duplicates
 * @param opTimeout an operation the dispatcher has said nothing of for this long is taken as lost and
 *     recovered; the dispatcher does not send an operation it has been silent on for this long
 * @param endCallSources the event {@code source}s whose calls get an End call control in their block's
 *     thread; empty when the provider's end-call API is not configured
 */
public record ReconcilerSettings(
        String defaultTeamId,
        String defaultChannel,
        String defaultCreatedBy,
        Duration staleAfter,
        Duration endedRetention,
        int dedupeWindow,
        Duration opTimeout,
        Set<String> endCallSources) {

    public ReconcilerSettings {
        Objects.requireNonNull(staleAfter, "staleAfter");
        Objects.requireNonNull(endedRetention, "endedRetention");
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("staleAfter must be positive, was " + staleAfter);
        }
        if (endedRetention.isNegative()) {
            throw new IllegalArgumentException("endedRetention must not be negative, was " + endedRetention);
        }
        Objects.requireNonNull(opTimeout, "opTimeout");
        if (opTimeout.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("opTimeout must be at least 1 minute, was " + opTimeout);
        }
        endCallSources = Set.copyOf(endCallSources);
        if (dedupeWindow < 1) {
            throw new IllegalArgumentException("dedupeWindow must be at least 1, was " + dedupeWindow);
        }
    }

    /** Whether a call whose {@code call.started} came from {@code source} gets an End call control. */
    public boolean endsFromSlack(String source) {
        return source != null && endCallSources.contains(source);
    }
}
