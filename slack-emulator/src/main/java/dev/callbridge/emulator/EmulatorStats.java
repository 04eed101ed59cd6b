package dev.callbridge.emulator;

import java.util.Map;

/**
 * Request counts since the last reset.
 *
 * @param methods the counts of each emulated method, by API name
 * @param duplicateCallsAdd {@code calls.add} requests that repeated an {@code external_unique_id}
 *     the workspace already had
 */
public record EmulatorStats(Map<String, MethodCounts> methods, long duplicateCallsAdd) {

    public EmulatorStats {
        methods = Map.copyOf(methods);
    }

    /** The counts of {@code method}, all zero when it was never called. */
    public MethodCounts of(ApiMethod method) {
        return methods.getOrDefault(method.apiName(), new MethodCounts(0, 0, 0, 0, 0, 0, Map.of()));
    }
}
