package dev.callbridge.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callbridge.testkit.ProviderWebhooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Sends webhooks to an ingress on this machine, as a provider would, and reads the answers. */
final class IngressClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    IngressClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** An answer: its status, its {@code Retry-After}, and its body as JSON ({@code null} when empty). */
    record Answer(int status, String retryAfter, JsonNode body) {}

    Answer send(ProviderWebhooks.Request request) {
        return send(request, "");
    }

    /** The request with {@code query} (e.g. {@code ?tenant=7}) after its path. */
    Answer send(ProviderWebhooks.Request request, String query) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.path() + query))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        return answer(builder.build());
    }

    Answer get(String path) {
        return answer(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    String text(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Answer answer(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                body = JSON.readTree(response.body());
            }
            return new Answer(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
