package dev.callbridge.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The bridge's HTTP endpoints: for its platform {@code /healthz} (the process works), {@code /readyz}
 * (it is processing: Kafka Streams RUNNING and the dispatcher holding partitions) and
 * {@code /metrics} (Prometheus text); for Slack, the app's routes when it is one.
 */
final class HttpEndpoints implements AutoCloseable {

    private final HttpServer server;

    HttpEndpoints(int port, BooleanSupplier live, BooleanSupplier ready, PrometheusMeterRegistry registry) {
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + " for health and metrics", e);
        }
        server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "http-endpoints");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/healthz", exchange -> status(exchange, live.getAsBoolean()));
        server.createContext("/readyz", exchange -> status(exchange, ready.getAsBoolean()));
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    }

    void start() {
        server.start();
    }

    /** Serves more paths from now on, such as the Slack app's once it runs. */
    void serve(Map<String, HttpHandler> routes) {
        routes.forEach(server::createContext);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void status(HttpExchange exchange, boolean ok) throws IOException {
        respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "not ok\n");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
