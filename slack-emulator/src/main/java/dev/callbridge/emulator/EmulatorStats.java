package dev.callbridge.emulator;

import java.util.Map;

/**
 * Request counts since the last reset.
 *
 * @param methods the counts of each emulated method, by API name
 * @param duplicateCallsAdd {@code calls.add} requests that repeated an {@code external_unique_id}
 *     the workspace already had
 * @param workspaces the counts of each workspace's requests (those whose token named it), by team id,
 *     then by API name: what Slack's per-workspace rate limits are counted against
 */
public record EmulatorStats(Map<String, MethodCounts> methods, long duplicateCallsAdd,
        Map<String, Map<String, MethodCounts>> workspaces) {

    private static final MethodCounts NONE = new MethodCounts(0, 0, 0, 0, 0, 0, Map.of());

    public EmulatorStats {
        methods = Map.copyOf(methods);
        workspaces = workspaces == null ? Map.of() : Map.copyOf(workspaces);
    }

    public EmulatorStats(Map<String, MethodCounts> methods, long duplicateCallsAdd) {
        this(methods, duplicateCallsAdd, Map.of());
    }

    /** The counts of {@code method}, all zero when it was never called. */
    public MethodCounts of(ApiMethod method) {
        return methods.getOrDefault(method.apiName(), NONE);
    }

    /** The counts of {@code method} in the workspace {@code teamId}, all zero when it was never called there. */
    public MethodCounts of(String teamId, ApiMethod method) {
        return workspaces.getOrDefault(teamId, Map.of()).getOrDefault(method.apiName(), NONE);
    }
}
