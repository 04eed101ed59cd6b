package dev.callbridge.emulator;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/** {@code /actions/<team>/<interaction>/<secret>}: the response URLs of clicks, where an app answers the user. */
final class ResponseUrlEndpoint implements HttpHandler {

    private final Interactivity interactivity;

    ResponseUrlEndpoint(Interactivity interactivity) {
        this.interactivity = interactivity;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        Map.Entry<Integer, Map<String, Object>> answer = Methods.POST.equals(exchange.getRequestMethod())
                ? interactivity.respond(exchange.getRelativePath(), exchange.getInputStream().readAllBytes())
                : Map.entry(StatusCodes.METHOD_NOT_ALLOWED, Map.of("ok", false, "error", "use POST"));
        exchange.setStatusCode(answer.getKey());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getResponseSender().send(ByteBuffer.wrap(EmulatorJson.write(answer.getValue())));
    }
}
