package dev.callbridge.provider.emulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The other end of the webhooks in these tests: records every request and answers with the statuses it is given, then 200. */
final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    record Received(long atMillis, String contentType, Map<String, List<String>> headers, String body) {

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Integer> statuses = new ArrayDeque<>();

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(System.currentTimeMillis(),
                        exchange.getRequestHeaders().getFirst("Content-Type"), Map.copyOf(exchange.getRequestHeaders()), body));
                int status;
                synchronized (statuses) {
                    status = statuses.isEmpty() ? 200 : statuses.poll();
                }
                exchange.sendResponseHeaders(status, -1);
            }
        });
        server.start();
    }

    /** The next requests are answered with these statuses, in order. */
    WebhookReceiver answering(Integer... next) {
        synchronized (statuses) {
            statuses.addAll(List.of(next));
        }
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
