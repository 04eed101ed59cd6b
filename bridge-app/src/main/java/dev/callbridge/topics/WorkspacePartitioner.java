package dev.callbridge.topics;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.utils.Utils;

/**
 * Where an operation lies in {@code slack.call-ops} and in each retry topic: on its workspace's
 * partition, murmur2 of the workspace's team id as the Java client hashes a key. Every operation of a
 * workspace then reaches the one dispatcher that holds that partition number, so its rate budget per
 * (workspace, method) holds for the whole consumer group; a call's operations all name one workspace,
 * so they stay on one partition too. An operation that names no workspace is sent in the default one
 * ({@code slack.default.team.id}) and lies with it; with no default, all such operations share one
 * partition.
 */
public final class WorkspacePartitioner {

    private final String defaultTeamId;

    /** @param defaultTeamId the workspace of operations that name none; {@code null} when there is none */
    public WorkspacePartitioner(String defaultTeamId) {
        this.defaultTeamId = defaultTeamId == null || defaultTeamId.isBlank() ? "" : defaultTeamId.toUpperCase(Locale.ROOT);
    }

    /**
     * The workspace an operation is sent in, as its partition and its rate budgets know it: the team id
     * in upper case, as Slack writes it; the default workspace's for none; {@code ""} when neither is known.
     */
    public String workspace(String teamId) {
        return teamId == null || teamId.isBlank() ? defaultTeamId : teamId.toUpperCase(Locale.ROOT);
    }

    /** The partition of the workspace's operations in a topic of {@code partitions} partitions. */
    public int partition(String teamId, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(workspace(teamId).getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
