package dev.callbridge.provider.emulator;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** Reading and answering requests on the JDK's HTTP server. */
final class Exchanges {

    /** Far above anything the platform's API or controls take; a longer body is refused unread. */
    static final int MAX_BODY_BYTES = 256 * 1024;

    private Exchanges() {}

    /** The body; {@code null} when it is longer than {@link #MAX_BODY_BYTES}. */
    static byte[] body(HttpExchange exchange) throws IOException {
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length > MAX_BODY_BYTES ? null : bytes;
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        bytes(exchange, status, ProviderJson.write(body));
    }

    /** A status with no body at all, as the end API's empty 200. */
    static void empty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    private static void bytes(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
