package dev.callbridge.topology;

import dev.callbridge.config.Topics;
import dev.callbridge.reconcile.ReconcilerSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link CallTopology#buildTopology} needs: topic names, the reconciler's settings, and how
 * often the stale-call sweeper runs (on wall-clock time).
 */
public record TopologyConfig(Topics topics, ReconcilerSettings reconciler, Duration sweepInterval) {

    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);

    public TopologyConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(reconciler, "reconciler");
        if (sweepInterval == null || sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("sweepInterval must be positive, was " + sweepInterval);
        }
    }

    public static TopologyConfig defaults() {
        return new TopologyConfig(Topics.defaults(), ReconcilerSettings.defaults(), DEFAULT_SWEEP_INTERVAL);
    }
}
