package dev.callbridge.provider.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * {@code /_emulator/}: what the emulated platform holds and how it behaves, as JSON.
 *
 * <ul>
 *   <li>{@code GET calls}, {@code GET calls/<id>}; {@code POST calls} ({@link StartCall}: {@code from},
 *       {@code to}, {@code agent}, optional {@code flavour}) starts a call and answers with it;
 *       {@code POST calls/<id>/hang-up} ({@code {"reason"}}, optional) ends it from the caller's side;
 *   <li>{@code GET end-requests}: every {@code POST /calls/end} received, with its reason and outcome;
 *   <li>{@code GET webhooks}: every webhook and status callback sent, each attempt with its answer;
 *   <li>{@code GET}/{@code PUT faults} and {@code GET}/{@code PUT targets}: a PUT names only the fields it
 *       changes and answers with the settings now in force;
 *   <li>{@code POST reset}: forgets calls, end requests and webhooks, drops retries and analyses still
 *       due; faults and targets stay.
 * </ul>
 */
final class InspectionEndpoint implements HttpHandler {

    static final String PATH = "/_emulator/";
    private static final String HANG_UP = "/hang-up";
    static final String CALLER_HANG_UP_REASON = "user_hangup";

    private final Platform platform;

    InspectionEndpoint(Platform platform) {
        this.platform = platform;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(PATH.length());
            try {
                route(exchange, exchange.getRequestMethod(), path);
            } catch (NoSuchElementException e) {
                Exchanges.json(exchange, 404, Map.of("error", e.getMessage()));
            } catch (IllegalArgumentException e) {
                Exchanges.json(exchange, 400, Map.of("error", e.getMessage()));
            } catch (JsonProcessingException e) {
                Exchanges.json(exchange, 400, Map.of("error", reason(e)));
            }
        }
    }

    private void route(HttpExchange exchange, String method, String path) throws IOException {
        boolean get = method.equals("GET");
        boolean put = method.equals("PUT");
        boolean post = method.equals("POST");
        switch (path) {
            case "calls" -> {
                if (post) {
                    StartCall start = ProviderJson.mapper().readValue(body(exchange), StartCall.class);
                    Exchanges.json(exchange, 201, platform.start(start.from(), start.to(), start.agent(), start.flavour()));
                } else {
                    answer(exchange, get, platform.state().calls());
                }
            }
            case "end-requests" -> answer(exchange, get, platform.state().endRequests());
            case "webhooks" -> answer(exchange, get, platform.deliveries());
            case "faults" -> {
                if (put) {
                    platform.faults(ProviderJson.overlay(platform.faults(), body(exchange), Faults.class));
                }
                answer(exchange, get || put, platform.faults());
            }
            case "targets" -> {
                if (put) {
                    platform.targets(ProviderJson.overlay(platform.targets(), body(exchange), Targets.class));
                }
                answer(exchange, get || put, platform.targets());
            }
            case "reset" -> {
                if (post) {
                    platform.reset();
                    Exchanges.empty(exchange, 204);
                } else {
                    answer(exchange, false, null);
                }
            }
            default -> {
                if (path.startsWith("calls/") && path.endsWith(HANG_UP)) {
                    hangUp(exchange, post, path.substring("calls/".length(), path.length() - HANG_UP.length()));
                } else if (path.startsWith("calls/")) {
                    String id = path.substring("calls/".length());
                    ProviderCall call = platform.call(id).orElseThrow(() -> new NoSuchElementException("no call " + id));
                    answer(exchange, get, call.snapshot());
                } else {
                    Exchanges.json(exchange, 404, Map.of("error", "no such resource: " + path));
                }
            }
        }
    }

    private void hangUp(HttpExchange exchange, boolean post, String id) throws IOException {
        if (!post) {
            answer(exchange, false, null);
            return;
        }
        ProviderCall call = platform.call(id).orElseThrow(() -> new NoSuchElementException("no call " + id));
        byte[] body = body(exchange);
        String reason = CALLER_HANG_UP_REASON;
        if (body.length > 0) {
            JsonNode fields = ProviderJson.mapper().readTree(body);
            if (fields == null || !fields.isObject()) {
                throw new IllegalArgumentException("expected a JSON object with an optional reason");
            }
            fields.fieldNames().forEachRemaining(name -> {
                if (!name.equals("reason")) {
                    throw new IllegalArgumentException("unknown field " + name + ", expected reason");
                }
            });
            if (fields.hasNonNull("reason")) {
                reason = fields.get("reason").asText();
            }
        }
        if (platform.end(call, reason).isEmpty()) {
            throw new IllegalArgumentException("call " + id + " has ended already");
        }
        Exchanges.json(exchange, 200, call.snapshot());
    }

    private static void answer(HttpExchange exchange, boolean allowed, Object body) throws IOException {
        if (allowed) {
            Exchanges.json(exchange, 200, body);
        } else {
            Exchanges.json(exchange, 405, Map.of("error", exchange.getRequestMethod() + " not allowed"));
        }
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        byte[] body = Exchanges.body(exchange);
        if (body == null) {
            throw new IllegalArgumentException("the body is larger than " + Exchanges.MAX_BODY_BYTES + " bytes");
        }
        return body;
    }

    /** Why a body was refused: for a value out of range, the record's own validation message. */
    private static String reason(JsonProcessingException e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause == e ? e.getOriginalMessage() : Objects.toString(cause.getMessage());
    }
}
