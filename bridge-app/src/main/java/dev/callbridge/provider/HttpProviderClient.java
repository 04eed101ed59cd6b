package dev.callbridge.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.provider.ProviderClient.CallStatus.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's API over the JDK's HTTP client, with the configured timeout on every request and the
 * key in {@code Authorization: Bearer}. The key is not logged, nor is anything the platform answers
 * beyond its status.
 */
public final class HttpProviderClient implements ProviderClient {

    private static final Logger LOG = LoggerFactory.getLogger(HttpProviderClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProviderApiConfig config;
    private final HttpClient http;

    public HttpProviderClient(ProviderApiConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public EndAnswer end(String callId, String reason) {
        ObjectNode body = JSON.createObjectNode().put("call_id", callId).put("disconnect_reason", reason);
        HttpRequest request = request("/calls/end")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warn("The provider's end-call API at {} did not answer for call {}: {}", config.url(), callId,
                    e.getClass().getSimpleName());
            return EndAnswer.UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EndAnswer.UNREACHABLE;
        }
        if (response.statusCode() != 200) {
            LOG.warn("The provider's end-call API refused call {} with HTTP {}", callId, response.statusCode());
            return EndAnswer.REFUSED;
        }
        return response.body().length == 0 || new String(response.body(), StandardCharsets.UTF_8).isBlank()
                ? EndAnswer.NOTHING_SAID
                : EndAnswer.ENDED;
    }

    @Override
    public CallStatus status(String callId) {
        HttpRequest request = request("/calls/" + URLEncoder.encode(callId, StandardCharsets.UTF_8)).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return new CallStatus(Kind.UNREACHABLE, null, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CallStatus(Kind.UNREACHABLE, null, "interrupted");
        }
        if (response.statusCode() == 404) {
            return CallStatus.of(Kind.NOT_FOUND);
        }
        if (response.statusCode() != 200) {
            return new CallStatus(Kind.REFUSED, null, "HTTP " + response.statusCode());
        }
        try {
            JsonNode call = JSON.readTree(response.body());
            String status = call == null ? "" : call.path("status").asText("");
            if (status.equals("ended")) {
                JsonNode reason = call.get("disconnect_reason");
                return new CallStatus(Kind.ENDED, reason == null || reason.isNull() ? null : reason.asText(), null);
            }
            return status.equals("in_progress") ? CallStatus.of(Kind.IN_PROGRESS)
                    : new CallStatus(Kind.REFUSED, null, "unknown status '" + status + "'");
        } catch (IOException e) {
            return new CallStatus(Kind.REFUSED, null, "unreadable answer");
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(config.url() + path))
                .timeout(config.timeout())
                .header("Authorization", "Bearer " + config.key());
    }
}
