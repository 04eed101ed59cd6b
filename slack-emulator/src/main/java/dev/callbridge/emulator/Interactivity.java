package dev.callbridge.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.callbridge.emulator.Delivery.Status;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Clicks on an app's buttons, as Slack sends them: a {@code block_actions} payload, form-encoded as
 * {@code payload=<JSON>} and signed with the app's signing secret, to its interactivity URL; one
 * attempt, which must be answered within Slack's 3 seconds. Each carries a {@code response_url} that
 * this emulator serves: the app may post up to five messages to it within 30 minutes, which are kept
 * for inspection. A message there that replaces or deletes the original is recorded, not applied.
 */
final class Interactivity {

    /** Where response URLs live, as {@code hooks.slack.com/actions/} on Slack. */
    static final String RESPONSE_PATH = "/actions";
    /** How long Slack waits for an interactivity request's answer. */
    static final Duration SLACK_TIMEOUT = Duration.ofSeconds(3);
    private static final int RESPONSE_USES = 5;
    private static final Duration RESPONSE_LIFETIME = Duration.ofMinutes(30);
    private static final String USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)";

    private final List<EmulatedApp> apps;
    private final EmulatorState state;
    private final Clock clock;
    private final Supplier<String> root;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(SLACK_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentMap<Long, Interaction> interactions = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ResponseUrl> responseUrls = new ConcurrentHashMap<>();
    private final Queue<ResponseMessage> responses = new ConcurrentLinkedQueue<>();
    // Never restarted, so that an id seen before a reset never names a later interaction.
    private final AtomicLong sequence = new AtomicLong();

    /** @param root the emulator's own root URL, known once it has started */
    Interactivity(List<EmulatedApp> apps, EmulatorState state, Clock clock, Supplier<String> root) {
        this.apps = List.copyOf(apps);
        this.state = state;
        this.clock = clock;
        this.root = root;
    }

    /**
     * Sends the app the click and waits for its answer.
     *
     * @throws NoSuchElementException when no message has that {@code ts} in the channel, or no app that client id
     * @throws IllegalArgumentException when the app has nowhere to send clicks, or the click names no app
     *     while there are several
     */
    Interaction click(Click click) {
        EmulatedApp app = app(click.clientId());
        String url = app.interactivityRequestUrl();
        if (url == null) {
            throw new IllegalArgumentException("app " + app.appId() + " has no interactivity or events URL");
        }
        PostedMessage message = state.messages().stream()
                .filter(m -> m.teamId().equals(click.teamId()) && m.channel().equals(click.channel())
                        && m.ts().equals(click.messageTs()))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no message " + click.messageTs() + " in channel "
                        + click.channel() + " of " + click.teamId()));
        long id = sequence.incrementAndGet();
        Instant now = clock.instant();
        String secret = HexFormat.of().formatHex(randomBytes(12));
        String responseUrl = root.get() + RESPONSE_PATH + "/" + click.teamId() + "/" + id + "/" + secret;
        String triggerId = id + "." + now.toEpochMilli() + "." + HexFormat.of().formatHex(randomBytes(16));
        responseUrls.put(secret, new ResponseUrl(id, click, now.plus(RESPONSE_LIFETIME), new AtomicInteger()));

        byte[] body = ("payload=" + URLEncoder.encode(new String(EmulatorJson.write(
                payload(app, click, message, triggerId, responseUrl, now)), StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        long timestamp = now.getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(SLACK_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", USER_AGENT)
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", SlackSignature.of(app.signingSecret(), timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        String error;
        Integer httpStatus = null;
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            httpStatus = response.statusCode();
            error = response.statusCode() / 100 == 2 ? null : "http_error";
        } catch (HttpTimeoutException e) {
            error = "http_timeout";
        } catch (IOException e) {
            error = "connection_failed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "connection_failed";
        }
        Interaction interaction = new Interaction(id, app.appId(), click.teamId(), click.channel(), click.messageTs(),
                click.userId(), click.actionId(), click.value(), triggerId, responseUrl,
                error == null ? Status.DELIVERED : Status.FAILED, error, httpStatus);
        interactions.put(id, interaction);
        return interaction;
    }

    /**
     * A message posted to a response URL ({@code path} below {@link #RESPONSE_PATH}).
     *
     * @return the HTTP status and Slack's answer
     */
    Map.Entry<Integer, Map<String, Object>> respond(String path, byte[] body) {
        String[] parts = path.replaceFirst("^/", "").split("/");
        ResponseUrl url = parts.length == 3 ? responseUrls.get(parts[2]) : null;
        if (url == null || !Long.toString(url.interactionId()).equals(parts[1])
                || !url.click().teamId().equals(parts[0]) || clock.instant().isAfter(url.expiresAt())) {
            return Map.entry(404, Map.of("ok", false, "error", "expired_url"));
        }
        JsonNode message;
        try {
            message = EmulatorJson.mapper().readTree(body);
        } catch (IOException e) {
            return Map.entry(400, Map.of("ok", false, "error", "invalid_payload"));
        }
        if (message == null || !message.isObject()) {
            return Map.entry(400, Map.of("ok", false, "error", "invalid_payload"));
        }
        if (url.uses().incrementAndGet() > RESPONSE_USES) {
            return Map.entry(404, Map.of("ok", false, "error", "used_url"));
        }
        if (!message.hasNonNull("text") && !message.hasNonNull("blocks") && !message.path("delete_original").asBoolean()) {
            return Map.entry(400, Map.of("ok", false, "error", "no_text"));
        }
        Click click = url.click();
        responses.add(new ResponseMessage(url.interactionId(), click.teamId(), click.channel(), click.messageTs(),
                click.userId(), Optional.ofNullable(message.get("response_type")).map(JsonNode::asText).orElse("ephemeral"),
                message.path("replace_original").asBoolean(false), message.path("delete_original").asBoolean(false),
                message.hasNonNull("text") ? message.get("text").asText() : null,
                message.hasNonNull("blocks") ? message.get("blocks").toString() : null,
                clock.millis()));
        return Map.entry(200, Map.of("ok", true));
    }

    /** Every click sent since the last reset, oldest first. */
    List<Interaction> interactions() {
        return interactions.values().stream().sorted((a, b) -> Long.compare(a.id(), b.id())).toList();
    }

    /** Every message posted to a response URL since the last reset, oldest first. */
    List<ResponseMessage> responses() {
        return List.copyOf(responses);
    }

    /** Forgets the clicks and their messages; their response URLs stop working. */
    void clear() {
        interactions.clear();
        responseUrls.clear();
        responses.clear();
    }

    private EmulatedApp app(String clientId) {
        if (clientId != null) {
            return apps.stream().filter(app -> app.clientId().equals(clientId)).findFirst()
                    .orElseThrow(() -> new NoSuchElementException("no app has the client id " + clientId));
        }
        if (apps.size() != 1) {
            throw new IllegalArgumentException(apps.isEmpty() ? "the emulator has no app to click the button of"
                    : "the emulator has " + apps.size() + " apps: name one with client_id");
        }
        return apps.get(0);
    }

    /** The {@code block_actions} payload, in the shape Slack sends it. */
    private Map<String, Object> payload(EmulatedApp app, Click click, PostedMessage message, String triggerId,
            String responseUrl, Instant now) {
        String userName = click.userId().toLowerCase(Locale.ROOT);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "block_actions");
        payload.put("user", Map.of("id", click.userId(), "username", userName, "name", userName,
                "team_id", click.teamId()));
        payload.put("api_app_id", app.appId());
        payload.put("token", EventsApi.verificationToken(app));
        payload.put("container", Map.of("type", "message", "message_ts", click.messageTs(),
                "channel_id", click.channel(), "is_ephemeral", false));
        payload.put("trigger_id", triggerId);
        payload.put("team", Map.of("id", click.teamId(), "domain", EmulatorState.defaultName(click.teamId())));
        payload.put("enterprise", NullNode.getInstance());
        payload.put("is_enterprise_install", false);
        payload.put("channel", Map.of("id", click.channel(), "name", click.channel().toLowerCase(Locale.ROOT)));
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("type", "message");
        shown.put("ts", message.ts());
        shown.put("text", message.text());
        shown.put("team", click.teamId());
        payload.put("message", shown);
        payload.put("state", Map.of("values", Map.of()));
        payload.put("response_url", responseUrl);
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("type", "button");
        action.put("action_id", click.actionId());
        action.put("block_id", click.blockId() != null ? click.blockId() : "block-" + click.actionId());
        action.put("text", Map.of("type", "plain_text", "text", click.actionId(), "emoji", true));
        action.put("value", click.value());
        action.put("action_ts", String.format("%d.%06d", now.getEpochSecond(), now.getNano() / 1000));
        payload.put("actions", List.of(action));
        return payload;
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A response URL handed out with a click: its interaction, expiry and how often it was used. */
    private record ResponseUrl(long interactionId, Click click, Instant expiresAt, AtomicInteger uses) {}
}
