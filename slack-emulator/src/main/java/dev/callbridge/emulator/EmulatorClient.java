package dev.callbridge.emulator;

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

/** A typed client for a {@link SlackEmulator}'s inspection and control API under {@code /_emulator/}. */
public final class EmulatorClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int NOT_FOUND = 404;

    private final URI root;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

    /** @param inspectionUrl the emulator's {@link SlackEmulator#inspectionUrl()}, ending in {@code /_emulator/} */
    public EmulatorClient(String inspectionUrl) {
        this.root = URI.create(inspectionUrl.endsWith("/") ? inspectionUrl : inspectionUrl + "/");
    }

    /** Every call of every workspace, oldest first. */
    public List<CallSnapshot> calls() {
        return get("calls", new TypeReference<>() {});
    }

    /** The calls registered with {@code externalUniqueId}: more than one means a duplicate {@code calls.add}. */
    public List<CallSnapshot> callsWithExternalId(String externalUniqueId) {
        return get("calls?external_unique_id=" + URLEncoder.encode(externalUniqueId, StandardCharsets.UTF_8),
                new TypeReference<>() {});
    }

    public Optional<CallSnapshot> call(String id) {
        HttpResponse<byte[]> response = send(request("calls/" + URLEncoder.encode(id, StandardCharsets.UTF_8)).GET());
        if (response.statusCode() == NOT_FOUND) {
            return Optional.empty();
        }
        return Optional.of(read(response, EmulatorJson.mapper().constructType(CallSnapshot.class)));
    }

    /** Every message posted since the last reset, replies included, in posting order, as it stands after any update. */
    public List<PostedMessage> messages() {
        return get("messages", new TypeReference<>() {});
    }

    /** The message {@code ts} of {@code channel} with the replies in its thread, oldest first; empty when there is no such message. */
    public Optional<MessageThread> thread(String channel, String ts) {
        HttpResponse<byte[]> response = send(request("threads/" + URLEncoder.encode(channel, StandardCharsets.UTF_8) + "/"
                + URLEncoder.encode(ts, StandardCharsets.UTF_8)).GET());
        if (response.statusCode() == NOT_FOUND) {
            return Optional.empty();
        }
        return Optional.of(read(response, EmulatorJson.mapper().constructType(MessageThread.class)));
    }

    public EmulatorStats stats() {
        return get("stats", new TypeReference<>() {});
    }

    public Faults faults() {
        return get("faults", new TypeReference<>() {});
    }

    /** Replaces the fault settings, which restarts the fault sequence; returns the settings in force. */
    public Faults faults(Faults faults) {
        return put("faults", faults, Faults.class);
    }

    public RateLimits rateLimits() {
        return get("rate-limits", new TypeReference<>() {});
    }

    /** Replaces the budgets, which restarts every rate-limit window; returns the budgets in force. */
    public RateLimits rateLimits(RateLimits rateLimits) {
        return put("rate-limits", rateLimits, RateLimits.class);
    }

    /**
     * Forgets all calls, messages, counts, installs, issued tokens and deliveries; keeps the settings
     * and the configured tokens, unrevoked.
     */
    public void reset() {
        expectSuccess(send(request("reset").POST(HttpRequest.BodyPublishers.noBody())));
    }

    /** Every app's installs, by workspace: their tokens by id, never the tokens themselves. */
    public List<Installation> installations() {
        return get("installations", new TypeReference<>() {});
    }

    /**
     * Uninstalls the app from the workspace, as its admin would: every token of the install is
     * revoked, then the app is sent {@code tokens_revoked} and {@code app_uninstalled}.
     */
    public void uninstall(String clientId, String teamId) {
        post("installations/uninstall", Map.of("client_id", clientId, "team_id", teamId));
    }

    /** Every access token of every app installed in the workspace answers {@code token_expired} from now on. */
    public void expireTokens(String teamId) {
        post("installations/expire-tokens", Map.of("team_id", teamId));
    }

    /** The access token with this id (from {@link #installations()}) answers {@code token_expired} from now on. */
    public void expireToken(String tokenId) {
        post("tokens/expire", Map.of("token_id", tokenId));
    }

    /**
     * The token with this id (from {@link #installations()}) is revoked: an access token answers
     * {@code token_revoked} and the app is sent {@code tokens_revoked}; a refresh token renews nothing.
     */
    public void revokeToken(String tokenId) {
        post("tokens/revoke", Map.of("token_id", tokenId));
    }

    /** Sends the app's events URL Slack's {@code url_verification} challenge and waits for the outcome. */
    public Delivery verifyEventsUrl(String clientId) {
        return read(send(postRequest("url-verification", Map.of("client_id", clientId))),
                EmulatorJson.mapper().constructType(Delivery.class));
    }

    /** Every Events API request sent since the last reset, oldest first, with its status and retries. */
    public List<Delivery> deliveries() {
        return get("deliveries", new TypeReference<>() {});
    }

    /**
     * Clicks a button of a message, as a user would: the app is sent a signed {@code block_actions}
     * request, and this returns once it answered (or Slack's 3 seconds ran out).
     */
    public Interaction click(Click click) {
        HttpRequest.Builder request = request("click")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(EmulatorJson.write(click)));
        return read(send(request), EmulatorJson.mapper().constructType(Interaction.class));
    }

    /** Every click sent since the last reset, oldest first. */
    public List<Interaction> interactions() {
        return get("interactions", new TypeReference<>() {});
    }

    /** Every message apps posted to the clicks' response URLs since the last reset, oldest first. */
    public List<ResponseMessage> responses() {
        return get("responses", new TypeReference<>() {});
    }

    /**
     * Issues the app an app-level token ({@code xapp-…}) that opens Socket Mode connections; the app's
     * events go over Socket Mode from then on.
     */
    public String issueAppToken(String clientId) {
        Map<String, String> issued = read(send(postRequest("socket-mode/app-tokens", Map.of("client_id", clientId))),
                EmulatorJson.mapper().constructType(new TypeReference<Map<String, String>>() {}));
        return issued.get("app_token");
    }

    /** Every Socket Mode connection since the last reset, oldest first, open or closed. */
    public List<SocketConnection> socketConnections() {
        return get("socket-mode/connections", new TypeReference<>() {});
    }

    /** Every Socket Mode envelope sent since the last reset, oldest first, with its attempts and acknowledgement. */
    public List<SocketDelivery> socketDeliveries() {
        return get("socket-mode/deliveries", new TypeReference<>() {});
    }

    /**
     * Sends each open Socket Mode connection of the app a {@code disconnect} with reason
     * {@code refresh_requested}, as Slack does before it closes one; the emulator closes them after
     * its grace period.
     *
     * @return the ids of the connections told
     */
    public List<String> refreshSockets(String clientId) {
        return socketControl("socket-mode/disconnect", Map.of("client_id", clientId, "reason", "refresh_requested"));
    }

    /**
     * Closes each open Socket Mode connection of the app at once, without a closing handshake, as a
     * lost network does.
     *
     * @return the ids of the connections dropped
     */
    public List<String> dropSockets(String clientId) {
        return socketControl("socket-mode/drop", Map.of("client_id", clientId));
    }

    private List<String> socketControl(String path, Map<String, String> fields) {
        Map<String, List<String>> answer = read(send(postRequest(path, fields)),
                EmulatorJson.mapper().constructType(new TypeReference<Map<String, List<String>>>() {}));
        return answer.get("connections");
    }

    private <T> T get(String path, TypeReference<T> type) {
        return read(send(request(path).GET()), EmulatorJson.mapper().constructType(type));
    }

    private <T> T put(String path, T value, Class<T> type) {
        HttpRequest.Builder request = request(path)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(EmulatorJson.write(value)));
        return read(send(request), EmulatorJson.mapper().constructType(type));
    }

    private void post(String path, Map<String, String> fields) {
        expectSuccess(send(postRequest(path, fields)));
    }

    private HttpRequest.Builder postRequest(String path, Map<String, String> fields) {
        return request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(EmulatorJson.write(fields)));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(root.resolve(path)).timeout(TIMEOUT);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("the Slack emulator at " + root + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the Slack emulator", e);
        }
    }

    private <T> T read(HttpResponse<byte[]> response, JavaType type) {
        expectSuccess(response);
        try {
            return EmulatorJson.mapper().readValue(response.body(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable answer from " + response.uri(), e);
        }
    }

    private static void expectSuccess(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("the Slack emulator answered " + response.statusCode() + " to "
                    + response.uri() + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
    }
}
