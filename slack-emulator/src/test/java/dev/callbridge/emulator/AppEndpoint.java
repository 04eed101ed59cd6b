package dev.callbridge.emulator;

import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import com.slack.api.model.event.AppUninstalledEvent;
import com.slack.api.model.event.TokensRevokedEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An app's events URL, as a JUnit extension: every request it receives is recorded and, unless the
 * test scripted another answer for it, handed to a Bolt app with the test app's signing secret, which
 * checks the signature and answers as the bridge's Slack app would. Listens from construction, so
 * that an emulator can be pointed at {@link #url()}.
 */
final class AppEndpoint implements BeforeEachCallback, AfterAllCallback {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final App bolt;
    private final SlackRequestParser parser;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> boltEvents = new CopyOnWriteArrayList<>();
    private final Queue<Consumer<HttpExchange>> script = new ConcurrentLinkedQueue<>();

    /** One request as it arrived. */
    record Received(Map<String, List<String>> headers, String body) {

        String header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0))
                    .findFirst().orElse(null);
        }
    }

    AppEndpoint() {
        bolt = new App(AppConfig.builder().signingSecret(Installs.SIGNING_SECRET).build());
        bolt.event(TokensRevokedEvent.class, (payload, context) -> {
            boltEvents.add("tokens_revoked " + payload.getTeamId() + " bot=" + payload.getEvent().getTokens().getBot());
            return context.ack();
        });
        bolt.event(AppUninstalledEvent.class, (payload, context) -> {
            boltEvents.add("app_uninstalled " + payload.getTeamId() + " app=" + payload.getApiAppId());
            return context.ack();
        });
        parser = new SlackRequestParser(bolt.config());
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/slack/events", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/slack/events";
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** What Bolt's event handlers heard, in order. */
    List<String> boltEvents() {
        return List.copyOf(boltEvents);
    }

    /** The next request is answered with {@code status} and an empty body instead of Bolt's answer. */
    void answerNext(int status) {
        script.add(exchange -> respond(exchange, status, ""));
    }

    /** The next request is answered {@code delay} late, with Bolt's answer. */
    void answerNextLate(Duration delay) {
        script.add(exchange -> {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respondAsBolt(exchange);
        });
    }

    /** The next request is answered 200 with {@code body} instead of Bolt's answer. */
    void answerNextWith(String body) {
        script.add(exchange -> respond(exchange, 200, body));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        received.clear();
        boltEvents.clear();
        script.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
            exchange.setAttribute("body", body);
            Consumer<HttpExchange> scripted = script.poll();
            if (scripted == null) {
                respondAsBolt(exchange);
            } else {
                scripted.accept(exchange);
            }
        }
    }

    private void respondAsBolt(HttpExchange exchange) {
        String body = (String) exchange.getAttribute("body");
        Response response;
        try {
            Request<?> request = parser.parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri(exchange.getRequestURI().getPath())
                    .queryString(Map.of())
                    .headers(new RequestHeaders(exchange.getRequestHeaders()))
                    .requestBody(body)
                    .remoteAddress("127.0.0.1")
                    .build());
            response = bolt.run(request);
        } catch (Exception e) {
            throw new IllegalStateException("Bolt could not handle " + body, e);
        }
        respond(exchange, response.getStatusCode(), response.getBody() == null ? "" : response.getBody());
    }

    private void respond(HttpExchange exchange, int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (IOException e) {
            // The emulator gave up waiting: a timeout it counts, not a failure of the test's endpoint.
        }
    }
}
