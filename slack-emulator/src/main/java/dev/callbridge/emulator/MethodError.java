package dev.callbridge.emulator;

import java.util.Map;

/** A Slack error answer ({@code "ok": false}) decided part-way through handling a request. */
final class MethodError extends RuntimeException {

    private final String error;
    private final Map<String, Object> details;

    MethodError(String error) {
        this(error, Map.of());
    }

    /** @param details fields Slack sends beside {@code error}, such as {@code needed} for a missing scope */
    MethodError(String error, Map<String, Object> details) {
        // An expected answer, not a failure: no stack trace to fill in on the hot path.
        super(error, null, false, false);
        this.error = error;
        this.details = Map.copyOf(details);
    }

    String error() {
        return error;
    }

    Map<String, Object> details() {
        return details;
    }
}
