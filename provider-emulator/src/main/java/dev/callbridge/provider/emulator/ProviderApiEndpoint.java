package dev.callbridge.provider.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The platform's public API under {@code /calls}: {@code POST /calls/end} and {@code GET /calls/{call_id}},
 * both with {@code Authorization: Bearer <api key>}. As the platform documents, the end API answers
 * 200 with an empty body on any failure: an unreadable body, a bad or unknown call id, a call already
 * ended; 200 with the call on success; 401 only for a missing or wrong key.
 */
final class ProviderApiEndpoint implements HttpHandler {

    private static final String END_PATH = "/calls/end";
    private static final String CALL_PREFIX = "/calls/";
    private static final String BEARER = "Bearer ";

    private final Platform platform;
    private final byte[] apiKey;

    ProviderApiEndpoint(Platform platform, String apiKey) {
        this.platform = platform;
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals(END_PATH)) {
                if (method.equals("POST")) {
                    end(exchange);
                } else {
                    Exchanges.json(exchange, 405, Map.of("error", "use POST"));
                }
            } else if (path.startsWith(CALL_PREFIX) && path.indexOf('/', CALL_PREFIX.length()) < 0) {
                if (method.equals("GET")) {
                    call(exchange, path.substring(CALL_PREFIX.length()));
                } else {
                    Exchanges.json(exchange, 405, Map.of("error", "use GET"));
                }
            } else {
                Exchanges.json(exchange, 404, Map.of("error", "no such resource: " + path));
            }
        }
    }

    private void end(HttpExchange exchange) throws IOException {
        byte[] body = Exchanges.body(exchange);
        JsonNode fields = read(body);
        String callId = text(fields, "call_id");
        String reason = text(fields, "disconnect_reason");
        if (!authorized(exchange)) {
            platform.state().endRequested(callId, reason, "unauthorized", 401);
            Exchanges.json(exchange, 401, Map.of("error", "unauthorized"));
            return;
        }
        String outcome = endOutcome(fields, callId);
        if (!outcome.equals(EndRequest.ENDED)) {
            platform.state().endRequested(callId, reason, outcome, 200);
            Exchanges.empty(exchange, 200);
            return;
        }
        ProviderCall call = platform.call(callId).orElseThrow();
        Optional<CallSnapshot> ended = platform.end(call, reason == null || reason.isBlank() ? Platform.DEFAULT_END_REASON : reason);
        platform.state().endRequested(callId, reason, ended.isPresent() ? EndRequest.ENDED : "already_ended", 200);
        if (ended.isPresent()) {
            Exchanges.json(exchange, 200, ended.get());
        } else {
            Exchanges.empty(exchange, 200);
        }
    }

    /** What an authorized end request would come to, short of ending: {@link EndRequest#ENDED} or why not. */
    private String endOutcome(JsonNode fields, String callId) {
        if (fields == null) {
            return "bad_request";
        }
        if (callId == null || !isUuid(callId)) {
            return "invalid_call_id";
        }
        Optional<ProviderCall> call = platform.call(callId);
        if (call.isEmpty()) {
            return "unknown_call";
        }
        if (call.get().snapshot().ended()) {
            return "already_ended";
        }
        return platform.faults().endIgnored() ? "ignored" : EndRequest.ENDED;
    }

    private void call(HttpExchange exchange, String id) throws IOException {
        if (!authorized(exchange)) {
            Exchanges.json(exchange, 401, Map.of("error", "unauthorized"));
            return;
        }
        Optional<ProviderCall> call = isUuid(id) ? platform.call(id) : Optional.empty();
        if (call.isEmpty()) {
            Exchanges.json(exchange, 404, Map.of("error", "call not found"));
        } else {
            Exchanges.json(exchange, 200, call.get().snapshot());
        }
    }

    private boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith(BEARER)) {
            return false;
        }
        // Compared in constant time, as a key check should be.
        return MessageDigest.isEqual(apiKey, header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8));
    }

    /** The body as a JSON object; {@code null} when it is none. */
    private static JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = ProviderJson.mapper().readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode fields, String name) {
        JsonNode value = fields == null ? null : fields.get(name);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static boolean isUuid(String id) {
        try {
            return UUID.fromString(id).toString().equalsIgnoreCase(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
