package dev.callbridge.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * {@code /_emulator/socket-mode/}: Socket Mode's view and controls, as JSON.
 *
 * <ul>
 *   <li>{@code GET connections}: every connection since the last reset; {@code GET deliveries}: every
 *       {@code events_api} envelope with its attempts and the connection that acknowledged it;
 *   <li>{@code POST app-tokens} ({@code {"client_id"}}): issues the app an app-level token and
 *       answers with it ({@code app_token}, {@code token_id}, {@code client_id}); the app's events go
 *       over Socket Mode from then on;
 *   <li>{@code POST disconnect} ({@code {"client_id", "reason"}}, reason {@code refresh_requested},
 *       {@code warning} or {@code link_disabled}): asks each open connection of the app to reconnect,
 *       and closes it after the grace period; {@code POST drop} ({@code {"client_id"}}): closes them
 *       at once without a closing handshake. Both answer with the ids of the connections.
 * </ul>
 */
final class SocketModeControls implements HttpHandler {

    static final String PATH = "/_emulator/socket-mode";

    private final SocketMode socketMode;

    SocketModeControls(SocketMode socketMode) {
        this.socketMode = socketMode;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        boolean get = Methods.GET.equals(exchange.getRequestMethod());
        boolean post = Methods.POST.equals(exchange.getRequestMethod());
        String path = exchange.getRelativePath().replaceFirst("^/", "");
        try {
            switch (path) {
                case "connections" -> answer(exchange, get, socketMode::connections);
                case "deliveries" -> answer(exchange, get, socketMode::deliveries);
                case "app-tokens" -> answer(exchange, post, () -> issued(InspectionEndpoint.fields(exchange, "client_id")));
                case "disconnect" -> answer(exchange, post, () -> {
                    Map<String, String> fields = InspectionEndpoint.fields(exchange, "client_id", "reason");
                    return Map.of("connections", socketMode.disconnect(fields.get("client_id"), fields.get("reason")));
                });
                case "drop" -> answer(exchange, post, () -> Map.of("connections",
                        socketMode.drop(InspectionEndpoint.fields(exchange, "client_id").get("client_id"))));
                default -> InspectionEndpoint.write(exchange, StatusCodes.NOT_FOUND,
                        Map.of("error", "no such resource: socket-mode/" + path));
            }
        } catch (NoSuchElementException e) {
            InspectionEndpoint.write(exchange, StatusCodes.NOT_FOUND, Map.of("error", e.getMessage()));
        } catch (IllegalArgumentException e) {
            InspectionEndpoint.write(exchange, StatusCodes.BAD_REQUEST, Map.of("error", e.getMessage()));
        } catch (JsonProcessingException e) {
            InspectionEndpoint.write(exchange, StatusCodes.BAD_REQUEST, Map.of("error", e.getOriginalMessage()));
        }
    }

    private Map<String, String> issued(Map<String, String> fields) {
        SocketMode.AppToken token = socketMode.issue(fields.get("client_id"));
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("app_token", token.value());
        answer.put("token_id", token.id());
        answer.put("client_id", token.clientId());
        return answer;
    }

    private static void answer(HttpServerExchange exchange, boolean allowed, Control control) throws IOException {
        if (allowed) {
            InspectionEndpoint.write(exchange, StatusCodes.OK, control.run());
        } else {
            InspectionEndpoint.write(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                    Map.of("error", exchange.getRequestMethod() + " not allowed"));
        }
    }

    /** What a resource answers with; reading a control's body may fail. */
    @FunctionalInterface
    private interface Control {
        Object run() throws IOException;
    }
}
