package dev.callbridge.provider.emulator;

import dev.callbridge.provider.emulator.WebhookDelivery.Attempt;
import dev.callbridge.provider.emulator.WebhookDelivery.Status;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the world about calls, as the platform does: signed JSON webhooks for a voice-AI call, signed
 * form-encoded status callbacks for a Twilio-flavoured one. Best effort, one at a time in the order
 * raised: a non-2xx answer, a timeout or a failed connection is retried after each of the retry
 * delays, with the same {@code event_id} and a fresh signature.
 */
final class Webhooks implements AutoCloseable {

    static final List<Duration> DEFAULT_RETRY_DELAYS =
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final String TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature";

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
    private static final String USER_AGENT = "voice-ai-platform-emulator/1.0";
    private static final String TWILIO_USER_AGENT = "TwilioProxy/1.1";
    private static final DateTimeFormatter TWILIO_TIMESTAMP = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final String webhookSecret;
    private final TwilioSignature twilio;
    private final String twilioAccountSid;
    private final List<Duration> retryDelays;
    private final Duration timeout;
    private final Clock clock;
    private final Supplier<Faults> faults;
    private final Supplier<Targets> targets;
    private final HttpClient http;
    private final ScheduledThreadPoolExecutor sender;
    private final ConcurrentMap<Long, WebhookDelivery> deliveries = new ConcurrentSkipListMap<>();
    // Never restarted, so that an id seen before a reset never names a later delivery.
    private final AtomicLong sequence = new AtomicLong();
    // Bumped by a reset: attempts raised before it are dropped rather than sent.
    private final AtomicLong generation = new AtomicLong();

    /**
     * @param webhookSecret the key of {@code X-Provider-Signature}
     * @param twilioAuthToken the key of {@code X-Twilio-Signature}
     */
    Webhooks(String webhookSecret, String twilioAuthToken, String twilioAccountSid, List<Duration> retryDelays,
            Duration timeout, Clock clock, Supplier<Faults> faults, Supplier<Targets> targets) {
        if (retryDelays.stream().anyMatch(Duration::isNegative)) {
            throw new IllegalArgumentException("a retry delay cannot be negative: " + retryDelays);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the webhook timeout must be positive, was " + timeout);
        }
        this.webhookSecret = webhookSecret;
        this.twilio = new TwilioSignature(twilioAuthToken);
        this.twilioAccountSid = twilioAccountSid;
        this.retryDelays = List.copyOf(retryDelays);
        this.timeout = timeout;
        this.clock = clock;
        this.faults = faults;
        this.targets = targets;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.sender = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "provider-emulator-webhooks");
            thread.setDaemon(true);
            return thread;
        });
    }

    void callStarted(CallSnapshot call) {
        if (call.flavour() == Flavour.TWILIO) {
            statusCallback(call, "initiated", 0);
            statusCallback(call, "ringing", 1);
            statusCallback(call, "in-progress", 2);
        } else {
            webhook(call, "call_started", call.startedAt(), null);
        }
    }

    /** Tells that the call ended; a voice-AI call's analysis follows after the analysis delay. */
    void callEnded(CallSnapshot call) {
        if (call.flavour() == Flavour.TWILIO) {
            statusCallback(call, "completed", 3);
            return;
        }
        webhook(call, "call_ended", call.endedAt(), null);
        long raisedIn = generation.get();
        sender.schedule(() -> {
            if (raisedIn == generation.get()) {
                webhook(call, "call_analyzed", now().toString(), CallAnalysis.of(call));
            }
        }, targets.get().analysisDelayMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every delivery raised since the last reset, oldest first. */
    List<WebhookDelivery> deliveries() {
        return List.copyOf(deliveries.values());
    }

    /** Forgets the deliveries and drops the retries and analyses still due. */
    void clear() {
        generation.incrementAndGet();
        deliveries.clear();
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }

    private void webhook(CallSnapshot call, String event, String occurredAt, CallAnalysis analysis) {
        String url = targets.get().webhookUrl();
        if (url == null) {
            return;
        }
        Map<String, Object> callFields = new LinkedHashMap<>();
        callFields.put("call_id", call.callId());
        callFields.put("from_number", call.fromNumber());
        callFields.put("to_number", call.toNumber());
        callFields.put("agent_name", call.agentName());
        callFields.put("started_at", call.startedAt());
        callFields.put("ended_at", call.endedAt());
        callFields.put("duration_seconds", call.durationSeconds());
        callFields.put("disconnect_reason", call.disconnectReason());
        String eventId = "evt_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event_id", eventId);
        body.put("event", event);
        body.put("occurred_at", occurredAt);
        body.put("call", callFields);
        body.put("analysis", analysis);
        raise(new Outgoing(Flavour.VOICE_AI, event, eventId, call.callId(), url, ProviderJson.write(body), Map.of()));
    }

    private void statusCallback(CallSnapshot call, String status, int sequenceNumber) {
        String url = targets.get().twilioStatusCallbackUrl();
        if (url == null) {
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", twilioAccountSid);
        params.put("ApiVersion", "2010-04-01");
        params.put("CallSid", call.callSid());
        params.put("CallStatus", status);
        params.put("CallbackSource", "call-progress-events");
        params.put("Called", call.toNumber());
        params.put("Caller", call.fromNumber());
        params.put("Direction", "inbound");
        params.put("From", call.fromNumber());
        params.put("To", call.toNumber());
        params.put("SequenceNumber", Integer.toString(sequenceNumber));
        Instant at = Instant.parse(status.equals("completed") ? call.endedAt() : call.startedAt());
        params.put("Timestamp", TWILIO_TIMESTAMP.format(at));
        if (status.equals("completed")) {
            params.put("CallDuration", Long.toString(call.durationSeconds()));
        }
        String form = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        raise(new Outgoing(Flavour.TWILIO, status, call.callSid() + ":" + status + ":" + sequenceNumber, call.callId(),
                url, form.getBytes(StandardCharsets.UTF_8), Map.of(TWILIO_SIGNATURE_HEADER, twilio.sign(url, params))));
    }

    private void raise(Outgoing outgoing) {
        long generationNow = generation.get();
        long first = record(outgoing, null);
        sender.execute(() -> attempt(outgoing, first, 0, generationNow));
        if (faults.get().duplicateWebhooks()) {
            long second = record(outgoing, first);
            sender.execute(() -> attempt(outgoing, second, 0, generationNow));
        }
    }

    private long record(Outgoing outgoing, Long duplicateOf) {
        long id = sequence.incrementAndGet();
        deliveries.put(id, new WebhookDelivery(id, outgoing.flavour(), outgoing.event(), outgoing.eventId(),
                outgoing.callId(), outgoing.url(), Status.PENDING, List.of(), duplicateOf));
        return id;
    }

    private void attempt(Outgoing outgoing, long id, int retry, long raisedIn) {
        if (raisedIn != generation.get()) {
            return;
        }
        long delay = faults.get().webhookDelayMillis();
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Attempt attempt = post(outgoing);
        boolean delivered = attempt.error() == null;
        boolean retrying = !delivered && retry < retryDelays.size();
        Status status = delivered ? Status.DELIVERED : retrying ? Status.PENDING : Status.FAILED;
        // computeIfPresent: a delivery forgotten by a reset while its attempt was out stays forgotten.
        deliveries.computeIfPresent(id, (key, previous) -> previous.with(status, attempt));
        if (retrying) {
            sender.schedule(() -> attempt(outgoing, id, retry + 1, raisedIn),
                    retryDelays.get(retry).toNanos(), TimeUnit.NANOSECONDS);
        } else if (!delivered) {
            LOG.warn("Webhook {} ({} of call {}) to {} failed after {} attempts, the last with {}", id,
                    outgoing.event(), outgoing.callId(), outgoing.url(), retry + 1, attempt.error());
        }
    }

    private Attempt post(Outgoing outgoing) {
        Instant sentAt = now();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(outgoing.url()))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(outgoing.body()));
        if (outgoing.flavour() == Flavour.TWILIO) {
            request.header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                    .header("User-Agent", TWILIO_USER_AGENT);
        } else {
            request.header("Content-Type", "application/json")
                    .header("User-Agent", USER_AGENT)
                    .header(ProviderSignature.HEADER,
                            ProviderSignature.of(webhookSecret, sentAt.getEpochSecond(), outgoing.body()));
        }
        outgoing.headers().forEach(request::header);
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            boolean ok = response.statusCode() / 100 == 2;
            return new Attempt(sentAt.toString(), response.statusCode(), ok ? null : "http_error");
        } catch (HttpTimeoutException e) {
            return new Attempt(sentAt.toString(), null, "timeout");
        } catch (IOException e) {
            return new Attempt(sentAt.toString(), null, "connection_failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(sentAt.toString(), null, "connection_failed");
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A webhook or callback on its way: what every attempt sends, bar a fresh signature. */
    private record Outgoing(Flavour flavour, String event, String eventId, String callId, String url, byte[] body,
            Map<String, String> headers) {}
}
