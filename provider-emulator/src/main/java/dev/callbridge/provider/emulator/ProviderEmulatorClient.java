package dev.callbridge.provider.emulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A typed client for a {@link ProviderEmulator}'s inspection and control API under {@code /_emulator/}. */
public final class ProviderEmulatorClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI root;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

    /** @param inspectionUrl the emulator's {@link ProviderEmulator#inspectionUrl()}, ending in {@code /_emulator/} */
    public ProviderEmulatorClient(String inspectionUrl) {
        this.root = URI.create(inspectionUrl.endsWith("/") ? inspectionUrl : inspectionUrl + "/");
    }

    /** Starts a call, as if someone had dialled in; its start is told at once. */
    public CallSnapshot start(StartCall call) {
        return read(send(json(request("calls"), call, "POST")), type(new TypeReference<CallSnapshot>() {}));
    }

    /** Ends the call from the caller's side, with {@code reason} as its disconnect reason. */
    public CallSnapshot hangUp(String callId, String reason) {
        return read(send(json(request("calls/" + encode(callId) + "/hang-up"), Map.of("reason", reason), "POST")),
                type(new TypeReference<CallSnapshot>() {}));
    }

    /** Every call, oldest first. */
    public List<CallSnapshot> calls() {
        return get("calls", new TypeReference<>() {});
    }

    public Optional<CallSnapshot> call(String callId) {
        HttpResponse<byte[]> response = send(request("calls/" + encode(callId)).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(read(response, type(new TypeReference<CallSnapshot>() {})));
    }

    /** Every {@code POST /calls/end} received since the last reset, oldest first. */
    public List<EndRequest> endRequests() {
        return get("end-requests", new TypeReference<>() {});
    }

    /** Every webhook and status callback raised since the last reset, oldest first, with their attempts. */
    public List<WebhookDelivery> webhooks() {
        return get("webhooks", new TypeReference<>() {});
    }

    public Faults faults() {
        return get("faults", new TypeReference<>() {});
    }

    /** Replaces the faults; returns those in force. */
    public Faults faults(Faults faults) {
        return read(send(json(request("faults"), faults, "PUT")), type(new TypeReference<Faults>() {}));
    }

    public Targets targets() {
        return get("targets", new TypeReference<>() {});
    }

    /** Replaces where webhooks and callbacks go and the analysis delay; returns the targets in force. */
    public Targets targets(Targets targets) {
        return read(send(json(request("targets"), targets, "PUT")), type(new TypeReference<Targets>() {}));
    }

    /** Forgets calls, end requests and webhooks; faults and targets stay. */
    public void reset() {
        expectSuccess(send(request("reset").POST(HttpRequest.BodyPublishers.noBody())));
    }

    private <T> T get(String path, TypeReference<T> type) {
        return read(send(request(path).GET()), type(type));
    }

    private static JavaType type(TypeReference<?> type) {
        return ProviderJson.mapper().constructType(type);
    }

    private static HttpRequest.Builder json(HttpRequest.Builder request, Object body, String method) {
        return request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(ProviderJson.write(body)));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(root.resolve(path)).timeout(TIMEOUT);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("the provider emulator at " + root + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the provider emulator", e);
        }
    }

    private static <T> T read(HttpResponse<byte[]> response, JavaType type) {
        expectSuccess(response);
        try {
            return ProviderJson.mapper().readValue(response.body(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable answer from " + response.uri(), e);
        }
    }

    private static void expectSuccess(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("the provider emulator answered " + response.statusCode() + " to "
                    + response.uri() + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
