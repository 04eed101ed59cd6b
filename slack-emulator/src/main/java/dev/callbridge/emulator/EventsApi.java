package dev.callbridge.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.callbridge.emulator.Delivery.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the apps their Events API requests as Slack does: JSON signed with the app's signing secret,
 * and after a non-2xx answer, a timeout or a failed connection up to three retries carrying
 * {@code X-Slack-Retry-Num} and {@code X-Slack-Retry-Reason}. Requests go out one at a time in the
 * order they were raised, so an app hears {@code tokens_revoked} before {@code app_uninstalled}
 * unless a retry comes between them.
 */
final class EventsApi {

    /** How long Slack waits for an answer before it counts an {@code http_timeout}. */
    static final Duration SLACK_TIMEOUT = Duration.ofSeconds(3);
    /**
     * Slack retries nearly at once, after a minute and after five; the emulator keeps the count and
     * shortens the waits, so that a demo or a test sees the retries.
     */
    static final List<Duration> DEFAULT_RETRY_DELAYS =
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    private static final int RETRIES = 3;

    private static final Logger LOG = LoggerFactory.getLogger(EventsApi.class);
    private static final String USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)";
    private static final String URL_VERIFICATION = "url_verification";

    private final List<Duration> retryDelays;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledThreadPoolExecutor sender;
    private final ConcurrentMap<Long, Delivery> deliveries = new ConcurrentSkipListMap<>();
    // Neither sequence restarts on reset, so that ids seen before a reset never name a later request.
    private final AtomicLong deliverySequence = new AtomicLong();
    private final AtomicLong eventSequence = new AtomicLong();
    // Bumped by a reset: a retry raised before it is dropped rather than sent.
    private final AtomicLong generation = new AtomicLong();

    /** @param retryDelays the wait before each of the {@value #RETRIES} retries */
    EventsApi(List<Duration> retryDelays, Duration timeout, Clock clock) {
        if (retryDelays.stream().anyMatch(Duration::isNegative)) {
            throw new IllegalArgumentException("a retry delay cannot be negative: " + retryDelays);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the events timeout must be positive, was " + timeout);
        }
        this.retryDelays = List.copyOf(retryDelays);
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.sender = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "slack-emulator-events");
            thread.setDaemon(true);
            return thread;
        });
        // An emulator nobody installs an app in holds no thread.
        sender.setKeepAliveTime(10, TimeUnit.SECONDS);
        sender.allowCoreThreadTimeOut(true);
    }

    /**
     * Raises an {@code event_callback} for {@code event} in {@code teamId}, sent in the background;
     * nothing for an app without an events URL, which subscribes to no events.
     *
     * @param botUserId the bot user of the app's install, its {@code authorizations} entry
     */
    void send(EmulatedApp app, String teamId, String botUserId, Map<String, Object> event) {
        if (app.eventsUrl() == null) {
            return;
        }
        String eventId = "Ev" + String.format("%010d", eventSequence.incrementAndGet());
        Map<String, Object> authorization = new LinkedHashMap<>();
        // Slack writes these nulls out; the emulator's JSON leaves out plain Java nulls.
        authorization.put("enterprise_id", NullNode.getInstance());
        authorization.put("team_id", teamId);
        authorization.put("user_id", botUserId);
        authorization.put("is_bot", true);
        authorization.put("is_enterprise_install", false);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("token", verificationToken(app));
        envelope.put("team_id", teamId);
        envelope.put("api_app_id", app.appId());
        envelope.put("event", event);
        envelope.put("type", "event_callback");
        envelope.put("event_id", eventId);
        envelope.put("event_time", clock.instant().getEpochSecond());
        envelope.put("authorizations", List.of(authorization));
        envelope.put("is_ext_shared_channel", false);
        Outgoing outgoing = raise(app, (String) event.get("type"), eventId, teamId, envelope);
        sender.execute(() -> attempt(outgoing, 0, null));
    }

    /**
     * Sends {@code url_verification} once, as Slack does when an events URL is entered, and waits
     * for the answer: delivered when it is a 2xx that echoes the challenge (as text, form or JSON).
     *
     * @throws IllegalArgumentException for an app without an events URL
     */
    Delivery verify(EmulatedApp app) {
        if (app.eventsUrl() == null) {
            throw new IllegalArgumentException("app " + app.appId() + " has no events URL");
        }
        String challenge = UUID.randomUUID().toString().replace("-", "");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", verificationToken(app));
        body.put("challenge", challenge);
        body.put("type", URL_VERIFICATION);
        Outgoing outgoing = raise(app, URL_VERIFICATION, null, null, body);
        Future<Delivery> verified = sender.submit(() -> {
            Answer answer = post(outgoing, 0, null);
            String error = answer.error() != null || echoes(answer.body(), challenge)
                    ? answer.error()
                    : "challenge_mismatch";
            return record(outgoing, error == null ? Status.DELIVERED : Status.FAILED, 0, error, answer.httpStatus());
        });
        try {
            return verified.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying the events URL of app " + app.appId(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not verify the events URL of app " + app.appId(), e.getCause());
        }
    }

    /** Every request raised since the last reset, oldest first. */
    List<Delivery> deliveries() {
        return List.copyOf(deliveries.values());
    }

    /** Forgets the requests raised so far and drops their retries still due. */
    void clear() {
        generation.incrementAndGet();
        deliveries.clear();
    }

    private Outgoing raise(EmulatedApp app, String type, String eventId, String teamId, Map<String, Object> body) {
        long id = deliverySequence.incrementAndGet();
        Delivery raised = new Delivery(id, type, eventId, app.appId(), teamId, app.eventsUrl(), Status.PENDING, 0,
                null, null);
        deliveries.put(id, raised);
        return new Outgoing(raised, app, EmulatorJson.write(body), generation.get());
    }

    /** @param retryReason why the previous attempt failed; {@code null} for the first */
    private void attempt(Outgoing outgoing, int retry, String retryReason) {
        if (outgoing.generation() != generation.get()) {
            return;
        }
        Answer answer = post(outgoing, retry, retryReason);
        boolean delivered = answer.error() == null;
        boolean retrying = !delivered && retry < RETRIES;
        record(outgoing, delivered ? Status.DELIVERED : retrying ? Status.PENDING : Status.FAILED, retry,
                answer.error(), answer.httpStatus());
        if (retrying) {
            sender.schedule(() -> attempt(outgoing, retry + 1, answer.error()),
                    retryDelays.get(retry).toNanos(), TimeUnit.NANOSECONDS);
        } else if (!delivered) {
            Delivery raised = outgoing.raised();
            LOG.warn("Events API request {} ({}) of app {} failed after {} retries, the last with {}",
                    raised.id(), raised.type(), raised.appId(), RETRIES, answer.error());
        }
    }

    private Answer post(Outgoing outgoing, int retry, String retryReason) {
        long timestamp = clock.instant().getEpochSecond();
        String signature = SlackSignature.of(outgoing.app().signingSecret(), timestamp, outgoing.body());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(outgoing.app().eventsUrl()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(outgoing.body()));
        if (retry > 0) {
            request.header("X-Slack-Retry-Num", Integer.toString(retry)).header("X-Slack-Retry-Reason", retryReason);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            boolean ok = response.statusCode() / 100 == 2;
            return new Answer(ok ? null : "http_error", response.statusCode(), response.body());
        } catch (HttpConnectTimeoutException e) {
            return new Answer("connection_failed", null, null);
        } catch (HttpTimeoutException e) {
            return new Answer("http_timeout", null, null);
        } catch (IOException e) {
            return new Answer("connection_failed", null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer("connection_failed", null, null);
        }
    }

    private Delivery record(Outgoing outgoing, Status status, int retries, String error, Integer httpStatus) {
        Delivery raised = outgoing.raised();
        Delivery updated = new Delivery(raised.id(), raised.type(), raised.eventId(), raised.appId(), raised.teamId(),
                raised.url(), status, retries, error, httpStatus);
        // computeIfPresent: a delivery forgotten by a reset while its request was out stays forgotten.
        deliveries.computeIfPresent(raised.id(), (id, previous) -> updated);
        return updated;
    }

    private static boolean echoes(String body, String challenge) {
        String answer = body == null ? "" : body.trim();
        if (answer.equals(challenge) || answer.equals("challenge=" + challenge)) {
            return true;
        }
        try {
            return challenge.equals(EmulatorJson.mapper().readTree(answer).path("challenge").asText(null));
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * Slack's deprecated verification token: Bolt checks the signature instead, so a fixed value per
     * app that is no secret will do.
     */
    static String verificationToken(EmulatedApp app) {
        return "verification-" + app.appId().toLowerCase(Locale.ROOT);
    }

    /** A request on its way, signed afresh on every attempt so that its timestamp is current. */
    private record Outgoing(Delivery raised, EmulatedApp app, byte[] body, long generation) {}

    /** What one attempt met: its retry reason, if it failed, and the answer, if there was one. */
    private record Answer(String error, Integer httpStatus, String body) {}
}
