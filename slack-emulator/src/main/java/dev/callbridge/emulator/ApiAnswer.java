package dev.callbridge.emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the emulator sends back for one Web API request.
 *
 * @param status the HTTP status: 200 for every Slack answer, {@code ok} or not; 429 and 5xx otherwise
 * @param body the JSON object, in Slack's shape
 * @param retryAfterSeconds the {@code Retry-After} header; 0 for none
 */
record ApiAnswer(int status, Map<String, Object> body, int retryAfterSeconds) {

    static final int TOO_MANY_REQUESTS = 429;
    static final int SERVICE_UNAVAILABLE = 503;

    static ApiAnswer ok(Map<String, Object> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", true);
        body.putAll(fields);
        return new ApiAnswer(200, body, 0);
    }

    static ApiAnswer error(String error) {
        return error(new MethodError(error));
    }

    static ApiAnswer error(MethodError e) {
        return new ApiAnswer(200, errorBody(e.error(), e.details()), 0);
    }

    static ApiAnswer rateLimited(int retryAfterSeconds) {
        return new ApiAnswer(TOO_MANY_REQUESTS, errorBody("ratelimited", Map.of()), retryAfterSeconds);
    }

    static ApiAnswer serviceUnavailable() {
        return new ApiAnswer(SERVICE_UNAVAILABLE, errorBody("service_unavailable", Map.of()), 0);
    }

    boolean isOk() {
        return Boolean.TRUE.equals(body.get("ok"));
    }

    /** The {@code error} code of an answer that is not ok. */
    String error() {
        return (String) body.get("error");
    }

    private static Map<String, Object> errorBody(String error, Map<String, Object> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", false);
        body.put("error", error);
        body.putAll(details);
        return body;
    }
}
