package dev.callbridge.topology;

import dev.callbridge.reconcile.ReconcilerSettings;
import dev.callbridge.topics.Topics;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link CallTopology#buildTopology} needs: topic names, the reconciler's settings, how often
 * the stale-call sweeper runs (on wall-clock time), how long {@code slack.calls} keeps a call's
 * last view for recovery, and how large a call may grow.
 *
 * @param recoveryRetention how long a call's last view in {@code slack.calls} is trusted for recovery
 *     after its last change; also the topic's {@code retention.ms}
 * @param stateLimit how large a call's state may grow; an input that would take it further is dead-lettered
 * @param callPartitions the partition count of the input and results topics, so that an event already
 *     on its call's partition skips the repartition topic; 0 when unknown, which sends every event
 *     through it
 * @param catchUp how a call's {@code calls.add} is held while the bridge reads a backlog
 */
public record TopologyConfig(Topics topics, ReconcilerSettings reconciler, Duration sweepInterval,
        Duration recoveryRetention, CallStateLimit stateLimit, int callPartitions, CatchUp catchUp) {

    /** A configuration that holds nothing back: every call is added as soon as its start is read. */
    public TopologyConfig(Topics topics, ReconcilerSettings reconciler, Duration sweepInterval,
            Duration recoveryRetention, CallStateLimit stateLimit, int callPartitions) {
        this(topics, reconciler, sweepInterval, recoveryRetention, stateLimit, callPartitions, CatchUp.OFF);
    }

    public TopologyConfig {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(reconciler, "reconciler");
        if (sweepInterval == null || sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("sweepInterval must be positive, was " + sweepInterval);
        }
        if (recoveryRetention == null || recoveryRetention.compareTo(reconciler.staleAfter()) < 0) {
            throw new IllegalArgumentException("recoveryRetention must be at least staleAfter ("
                    + reconciler.staleAfter() + "), was " + recoveryRetention);
        }
        Objects.requireNonNull(stateLimit, "stateLimit");
        if (callPartitions < 0) {
            throw new IllegalArgumentException("callPartitions must not be negative, was " + callPartitions);
        }
        Objects.requireNonNull(catchUp, "catchUp");
    }

    /** This configuration for topics of {@code partitions} partitions, as found at start-up. */
    public TopologyConfig withCallPartitions(int partitions) {
        return new TopologyConfig(topics, reconciler, sweepInterval, recoveryRetention, stateLimit, partitions, catchUp);
    }
}
