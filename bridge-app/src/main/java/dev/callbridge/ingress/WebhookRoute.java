package dev.callbridge.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.callbridge.model.event.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one {@link Webhook}: hands each request to the bounded request threads (answering 503 at
 * once when they and their queue are full), reads the body up to the webhook's limit, and answers
 * 200 only after Kafka has acknowledged every event the webhook brought.
 */
final class WebhookRoute implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookRoute.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** When a sender should try again after Kafka failed to acknowledge, and after the ingress was too busy. */
    static final int RETRY_AFTER_UNAVAILABLE_SECONDS = 5;
    static final int RETRY_AFTER_BUSY_SECONDS = 1;
    /** Kafka failures are logged at most this often; the counters have them all. */
    private static final Duration WARN_EVERY = Duration.ofSeconds(10);

    private final Webhook webhook;
    private final Executor workers;
    private final EventDelivery delivery;
    private final IngressMetrics metrics;
    private final long maxWaitNanos;
    private final AtomicLong lastWarnedNanos = new AtomicLong(System.nanoTime() - WARN_EVERY.toNanos());

    /** @param maxWait how long a request may wait for a thread before it is answered 503 instead */
    WebhookRoute(Webhook webhook, Executor workers, EventDelivery delivery, IngressMetrics metrics, Duration maxWait) {
        this.webhook = webhook;
        this.workers = workers;
        this.delivery = delivery;
        this.metrics = metrics;
        this.maxWaitNanos = maxWait.toNanos();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        if (!exchange.getRequestURI().getPath().equals(webhook.path())) {
            try (exchange) {
                respond(exchange, 404, Map.of("error", "not_found"));
            }
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            try (exchange) {
                exchange.getResponseHeaders().set("Allow", "POST");
                answer(exchange, 405, "method_not_allowed", Map.of("error", "method_not_allowed"));
            }
            return;
        }
        try {
            workers.execute(() -> serve(exchange, arrived));
        } catch (RejectedExecutionException e) {
            try (exchange) {
                busy(exchange);
            }
        }
    }

    private void serve(HttpExchange exchange, long arrived) {
        try (exchange) {
            try {
                serveOpen(exchange, arrived);
            } catch (RuntimeException e) {
                LOG.warn("A {} webhook failed: {}", webhook.name(), e.toString());
                // When the answer has already begun this fails too, and the sender sees a broken response.
                answer(exchange, 500, "failed", Map.of("error", "failed"));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Answering a {} webhook failed", webhook.name(), e);
        }
    }

    private void serveOpen(HttpExchange exchange, long arrived) throws IOException {
        if (System.nanoTime() - arrived > maxWaitNanos) {
            busy(exchange);
            return;
        }
        byte[] body = readBody(exchange, webhook.maxBodyBytes());
        if (body == null) {
            tooLarge(exchange, webhook.maxBodyBytes());
            return;
        }
        Intake intake = webhook.read(new WebhookRequest(exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), lowerCaseNames(exchange), body));
        if (intake instanceof Intake.Events events) {
            deliver(exchange, events.records(), arrived);
        } else if (intake instanceof Intake.Ignored) {
            metrics.answered(webhook.name(), "ignored");
            exchange.sendResponseHeaders(204, -1);
        } else if (intake instanceof Intake.Unauthorized unauthorized) {
            answer(exchange, 401, "unauthorized", Map.of("error", "unauthorized", "message", unauthorized.why()));
        } else if (intake instanceof Intake.Invalid invalid) {
            answer(exchange, 400, "invalid", Map.of("error", "invalid", "violations", described(invalid.violations())));
        } else if (intake instanceof Intake.TooLarge tooLarge) {
            tooLarge(exchange, tooLarge.limitBytes());
        } else if (intake instanceof Intake.UnsupportedMediaType unsupported) {
            answer(exchange, 415, "unsupported_media_type",
                    Map.of("error", "unsupported_media_type", "expected", unsupported.expected()));
        }
    }

    private void deliver(HttpExchange exchange, List<InputRecord> events, long arrived) throws IOException {
        try {
            delivery.deliver(events);
        } catch (EventDelivery.NotAcknowledged e) {
            long now = System.nanoTime();
            long last = lastWarnedNanos.get();
            if (now - last >= WARN_EVERY.toNanos() && lastWarnedNanos.compareAndSet(last, now)) {
                LOG.warn("{} webhooks are answered 503: {}", webhook.name(), e.getMessage());
            }
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_UNAVAILABLE_SECONDS));
            answer(exchange, 503, "kafka_unavailable", Map.of("error", "kafka_unavailable",
                    "message", "Kafka did not acknowledge the events; send the webhook again"));
            return;
        }
        events.forEach(record -> metrics.written(webhook.name(), record.event().type()));
        answer(exchange, 200, "accepted", Map.of("accepted", events.size()));
        metrics.acknowledged(webhook.name(), Duration.ofNanos(System.nanoTime() - arrived));
    }

    private void busy(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_BUSY_SECONDS));
        answer(exchange, 503, "busy", Map.of("error", "busy", "message", "too many webhooks at once; send it again"));
    }

    private void tooLarge(HttpExchange exchange, int limit) throws IOException {
        answer(exchange, 413, "too_large", Map.of("error", "too_large", "limit_bytes", limit));
    }

    private void answer(HttpExchange exchange, int status, String outcome, Map<String, ?> body) throws IOException {
        metrics.answered(webhook.name(), outcome);
        respond(exchange, status, body);
    }

    private static void respond(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static List<Map<String, String>> described(List<Violation> violations) {
        return violations.stream().map(v -> {
            Map<String, String> described = new LinkedHashMap<>();
            described.put("field", v.field());
            described.put("reason", v.reason().code());
            described.put("message", v.message());
            return described;
        }).toList();
    }

    /** The body, or {@code null} when it is larger than {@code limit}; a declared length over it is not read at all. */
    private static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > limit) {
                    return null;
                }
            } catch (NumberFormatException e) {
                // The server has already framed the body; read it and judge what arrives.
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(limit + 1);
            return body.length > limit ? null : body;
        }
    }

    private static Map<String, List<String>> lowerCaseNames(HttpExchange exchange) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.merge(name.toLowerCase(Locale.ROOT), values, (a, b) -> a));
        return headers;
    }
}
