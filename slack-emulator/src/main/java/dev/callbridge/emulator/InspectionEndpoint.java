package dev.callbridge.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code /_emulator/}: what the emulated Slack holds and how it behaves, as JSON.
 *
 * <ul>
 *   <li>{@code GET calls} (optionally {@code ?external_unique_id=} and {@code ?team_id=}),
 *       {@code GET calls/<id>}, {@code GET messages} (every message, replies and edits included),
 *       {@code GET threads/<channel>/<ts>} (a message and the replies in its thread), {@code GET stats}
 *       (per method, and per workspace and method);
 *   <li>{@code GET}/{@code PUT faults} and {@code GET}/{@code PUT rate-limits}: a PUT names only the
 *       fields it changes and answers with the settings now in force;
 *   <li>{@code GET installations}: the apps' installs with their tokens' ids, never the tokens;
 *   <li>{@code POST installations/uninstall} ({@code {"client_id", "team_id"}}),
 *       {@code POST installations/expire-tokens} ({@code {"team_id"}}), {@code POST tokens/expire} and
 *       {@code POST tokens/revoke} ({@code {"token_id"}}): what an admin or time does to an install;
 *   <li>{@code POST url-verification} ({@code {"client_id"}}): sends the app's events URL Slack's
 *       challenge and answers with the outcome; {@code GET deliveries}: every Events API request sent;
 *   <li>{@code POST click} ({@link Click}: {@code team_id}, {@code channel}, {@code message_ts},
 *       {@code user_id}, {@code action_id}, optional {@code value}, {@code block_id}, {@code client_id}):
 *       sends the app a signed {@code block_actions} request and answers with the {@link Interaction};
 *       {@code GET interactions}: every click sent; {@code GET responses}: what apps posted to the
 *       clicks' response URLs;
 *   <li>{@code POST reset}: forgets calls, messages, counts, installs, issued tokens, deliveries and clicks,
 *       restarts rate-limit windows and the fault sequence; settings and configured tokens stay.
 * </ul>
 */
final class InspectionEndpoint implements HttpHandler {

    private final EmulatorState state;
    private final RequestStats stats;
    private final FaultInjector faults;
    private final RateLimiter rateLimiter;
    private final Installations installations;
    private final EventsApi events;
    private final Interactivity interactivity;
    private final Runnable reset;

    InspectionEndpoint(EmulatorState state, RequestStats stats, FaultInjector faults, RateLimiter rateLimiter,
            Installations installations, EventsApi events, Interactivity interactivity, Runnable reset) {
        this.state = state;
        this.stats = stats;
        this.faults = faults;
        this.rateLimiter = rateLimiter;
        this.installations = installations;
        this.events = events;
        this.interactivity = interactivity;
        this.reset = reset;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        HttpString method = exchange.getRequestMethod();
        String path = exchange.getRelativePath().replaceFirst("^/", "");
        try {
            route(exchange, method, path);
        } catch (NoSuchElementException e) {
            write(exchange, StatusCodes.NOT_FOUND, Map.of("error", e.getMessage()));
        } catch (IllegalArgumentException e) {
            write(exchange, StatusCodes.BAD_REQUEST, Map.of("error", e.getMessage()));
        } catch (JsonProcessingException e) {
            write(exchange, StatusCodes.BAD_REQUEST, Map.of("error", reason(e)));
        }
    }

    private void route(HttpServerExchange exchange, HttpString method, String path) throws IOException {
        boolean get = Methods.GET.equals(method);
        boolean put = Methods.PUT.equals(method);
        boolean post = Methods.POST.equals(method);
        switch (path) {
            case "calls" -> requireThen(exchange, get, () -> calls(exchange));
            case "messages" -> requireThen(exchange, get, state::messages);
            case "stats" -> requireThen(exchange, get,
                    () -> new EmulatorStats(stats.snapshot(), state.duplicateCallsAdd(), stats.workspaces()));
            case "faults" -> {
                if (put) {
                    faults.settings(EmulatorJson.overlay(faults.settings(), body(exchange), Faults.class));
                }
                requireThen(exchange, get || put, faults::settings);
            }
            case "rate-limits" -> {
                if (put) {
                    rateLimiter.limits(EmulatorJson.overlay(rateLimiter.limits(), body(exchange), RateLimits.class));
                }
                requireThen(exchange, get || put, rateLimiter::limits);
            }
            case "installations" -> requireThen(exchange, get, installations::installations);
            case "deliveries" -> requireThen(exchange, get, events::deliveries);
            case "installations/uninstall" -> {
                if (requirePost(exchange, post)) {
                    Map<String, String> fields = fields(exchange, "client_id", "team_id");
                    done(exchange, () -> installations.uninstall(fields.get("client_id"), fields.get("team_id")));
                }
            }
            case "installations/expire-tokens" -> {
                if (requirePost(exchange, post)) {
                    String teamId = fields(exchange, "team_id").get("team_id");
                    done(exchange, () -> installations.expireTokens(teamId));
                }
            }
            case "tokens/expire" -> {
                if (requirePost(exchange, post)) {
                    String tokenId = fields(exchange, "token_id").get("token_id");
                    done(exchange, () -> installations.expireById(tokenId));
                }
            }
            case "tokens/revoke" -> {
                if (requirePost(exchange, post)) {
                    String tokenId = fields(exchange, "token_id").get("token_id");
                    done(exchange, () -> installations.revokeById(tokenId));
                }
            }
            case "url-verification" -> {
                if (requirePost(exchange, post)) {
                    String clientId = fields(exchange, "client_id").get("client_id");
                    EmulatedApp app = installations.app(clientId)
                            .orElseThrow(() -> new NoSuchElementException("no app has the client id " + clientId));
                    write(exchange, StatusCodes.OK, events.verify(app));
                }
            }
            case "click" -> {
                if (requirePost(exchange, post)) {
                    Click click = EmulatorJson.mapper().readValue(body(exchange), Click.class);
                    write(exchange, StatusCodes.OK, interactivity.click(click));
                }
            }
            case "interactions" -> requireThen(exchange, get, interactivity::interactions);
            case "responses" -> requireThen(exchange, get, interactivity::responses);
            case "reset" -> {
                if (requirePost(exchange, post)) {
                    done(exchange, reset);
                }
            }
            default -> {
                if (path.startsWith("threads/")) {
                    String[] parts = path.substring("threads/".length()).split("/", 2);
                    state.thread(parts[0], parts.length > 1 ? parts[1] : "").ifPresentOrElse(
                            thread -> requireThen(exchange, get, () -> thread),
                            () -> write(exchange, StatusCodes.NOT_FOUND, Map.of("error", "no message " + path)));
                } else if (path.startsWith("calls/")) {
                    String id = path.substring("calls/".length());
                    state.call(id).ifPresentOrElse(
                            call -> requireThen(exchange, get, () -> call),
                            () -> write(exchange, StatusCodes.NOT_FOUND, Map.of("error", "no call " + id)));
                } else {
                    write(exchange, StatusCodes.NOT_FOUND, Map.of("error", "no such resource: " + path));
                }
            }
        }
    }

    private List<CallSnapshot> calls(HttpServerExchange exchange) {
        String externalUniqueId = query(exchange, "external_unique_id");
        String teamId = query(exchange, "team_id");
        return state.calls().stream()
                .filter(call -> externalUniqueId == null || externalUniqueId.equals(call.externalUniqueId()))
                .filter(call -> teamId == null || teamId.equals(call.teamId()))
                .toList();
    }

    private static void requireThen(HttpServerExchange exchange, boolean allowed, Supplier<?> body) {
        if (allowed) {
            write(exchange, StatusCodes.OK, body.get());
        } else {
            write(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                    Map.of("error", exchange.getRequestMethod() + " not allowed"));
        }
    }

    private static boolean requirePost(HttpServerExchange exchange, boolean post) {
        if (!post) {
            write(exchange, StatusCodes.METHOD_NOT_ALLOWED, Map.of("error", "use POST"));
        }
        return post;
    }

    private static void done(HttpServerExchange exchange, Runnable control) {
        control.run();
        exchange.setStatusCode(StatusCodes.NO_CONTENT);
        exchange.endExchange();
    }

    /**
     * The text fields of a control's JSON body, every one required; any other field is refused, so
     * that a typo is not lost.
     */
    static Map<String, String> fields(HttpServerExchange exchange, String... names) throws IOException {
        JsonNode body = EmulatorJson.mapper().readTree(body(exchange));
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with " + String.join(", ", names));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : names) {
            JsonNode value = body.get(name);
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                throw new IllegalArgumentException(name + " is required");
            }
            fields.put(name, value.asText());
        }
        body.fieldNames().forEachRemaining(name -> {
            if (!fields.containsKey(name)) {
                throw new IllegalArgumentException("unknown field " + name + ", expected " + String.join(", ", names));
            }
        });
        return fields;
    }

    private static String query(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null ? null : values.peekFirst();
    }

    private static byte[] body(HttpServerExchange exchange) throws IOException {
        return exchange.getInputStream().readAllBytes();
    }

    /** Why a body was refused: for a setting out of range, the record's own validation message. */
    private static String reason(JsonProcessingException e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause == e ? e.getOriginalMessage() : Objects.toString(cause.getMessage());
    }

    static void write(HttpServerExchange exchange, int status, Object body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getResponseSender().send(ByteBuffer.wrap(EmulatorJson.write(body)));
    }
}
