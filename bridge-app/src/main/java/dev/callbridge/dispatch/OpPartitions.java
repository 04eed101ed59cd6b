package dev.callbridge.dispatch;

import dev.callbridge.model.op.CallOp;
import dev.callbridge.topics.WorkspacePartitioner;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The partition an operation belongs on in {@code slack.call-ops} or a retry topic: its workspace's
 * ({@link WorkspacePartitioner}), by each topic's partition count as the dispatcher's consumer last
 * saw it. The loop records the counts on every assignment (a topic given more partitions makes the
 * group rebalance); workers read them when they park an operation.
 */
final class OpPartitions {

    private final WorkspacePartitioner workspaces;
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    OpPartitions(WorkspacePartitioner workspaces) {
        this.workspaces = workspaces;
    }

    /** The name of the operation's workspace, as its rate budgets know it. */
    String workspace(String teamId) {
        return workspaces.workspace(teamId);
    }

    void count(String topic, int partitions) {
        if (partitions > 0) {
            counts.put(topic, partitions);
        }
    }

    /** The operation's partition of {@code topic}; {@code null} while the topic's partition count is not known. */
    Integer of(String topic, CallOp op) {
        Integer partitions = counts.get(topic);
        return partitions == null ? null : workspaces.partition(op.teamId(), partitions);
    }
}
