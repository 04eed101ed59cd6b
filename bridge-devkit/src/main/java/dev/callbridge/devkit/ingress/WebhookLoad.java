package dev.callbridge.devkit.ingress;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.testkit.ProviderWebhooks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Webhooks sent to a {@code bridge ingress} by many clients at once, each client sending its next as
 * soon as the last is answered, and every answer kept with the id of the event it carried. Each
 * client takes its turn at the three kinds: a CloudEvent, a Twilio conference callback (signed) and a
 * voice-AI webhook (signed), every one a new event. A webhook that gets no answer (the ingress is
 * down) is kept as status 0, and its client tries again after a short pause.
 */
public final class WebhookLoad {

    /** The ingress settings the load's webhooks are signed for. */
    public static final String PUBLIC_URL = "https://hooks.load.example.com";
    public static final String TWILIO_AUTH_TOKEN = "load-twilio-auth-token";
    public static final String VOICE_AI_SECRET = "load-voice-ai-secret";
    public static final String TWILIO_JOIN_URL_TEMPLATE = "https://console.load.example.com/conference/{call_id}";
    public static final String VOICE_AI_JOIN_URL_TEMPLATE = "https://voice.load.example.com/calls/{call_id}";

    /** No answer at all: the connection was refused or broke. */
    public static final int NO_ANSWER = 0;
    private static final Duration PAUSE_AFTER_NO_ANSWER = Duration.ofMillis(50);
    private static final DateTimeFormatter TWILIO_TIME = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final String base;
    private final int clients;
    private final ProviderWebhooks webhooks = new ProviderWebhooks(PUBLIC_URL, TWILIO_AUTH_TOKEN, VOICE_AI_SECRET);
    private final CloudEventCodec codec = new CloudEventCodec();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ConcurrentLinkedQueue<Answered> answers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private ExecutorService threads;
    private long startedNanos;

    /** The settings, as {@code BRIDGE_*} variables, of an ingress that takes this load's webhooks. */
    public static Map<String, String> ingressSettings() {
        return Map.of(
                "BRIDGE_INGRESS_PUBLIC_URL", PUBLIC_URL,
                "BRIDGE_INGRESS_TWILIO_AUTH_TOKEN", TWILIO_AUTH_TOKEN,
                "BRIDGE_INGRESS_TWILIO_JOIN_URL_TEMPLATE", TWILIO_JOIN_URL_TEMPLATE,
                "BRIDGE_INGRESS_VOICEAI_WEBHOOK_SECRET", VOICE_AI_SECRET,
                "BRIDGE_INGRESS_VOICEAI_JOIN_URL_TEMPLATE", VOICE_AI_JOIN_URL_TEMPLATE);
    }

    /** @param port the ingress's HTTP port on this machine */
    public WebhookLoad(int port, int clients) {
        this.base = "http://127.0.0.1:" + port;
        this.clients = clients;
    }

    /**
     * One webhook and its answer.
     *
     * @param status the HTTP status, or {@link #NO_ANSWER}
     * @param sentNanos when it was sent, on the load's own clock ({@link System#nanoTime()})
     * @param tookNanos how long until the answer (or the failure)
     */
    public record Answered(String kind, String eventId, int status, long sentNanos, long tookNanos) {

        public boolean acknowledged() {
            return status >= 200 && status < 300;
        }
    }

    /** Starts the clients; they send until {@link #stop()}. */
    public synchronized WebhookLoad start() {
        if (threads != null) {
            throw new IllegalStateException("the load is already running");
        }
        sending.set(true);
        startedNanos = System.nanoTime();
        threads = Executors.newFixedThreadPool(clients, runnable -> {
            Thread thread = new Thread(runnable, "webhook-load");
            thread.setDaemon(true);
            return thread;
        });
        for (int client = 0; client < clients; client++) {
            int number = client;
            threads.execute(() -> send(number));
        }
        return this;
    }

    /** Stops the clients, lets each have its last answer, and returns every answer since the start. */
    public synchronized List<Answered> stop() {
        sending.set(false);
        if (threads != null) {
            threads.shutdown();
            try {
                if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
                    threads.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                threads.shutdownNow();
            }
            threads = null;
        }
        return List.copyOf(answers);
    }

    /** Answers so far, as they come. */
    public List<Answered> answersSoFar() {
        return new ArrayList<>(answers);
    }

    /** Forgets the answers so far, e.g. those of a warm-up. */
    public void forget() {
        answers.clear();
    }

    public long startedNanos() {
        return startedNanos;
    }

    private void send(int client) {
        String conference = "CF" + UUID.randomUUID().toString().replace("-", "");
        long sequence = 0;
        int turn = client;
        while (sending.get()) {
            String kind;
            String eventId;
            ProviderWebhooks.Request request;
            switch (turn++ % 3) {
                case 0 -> {
                    CallEvent started = CallEvents.unsequenced("load-" + UUID.randomUUID(), "urn:load:pbx", Instant.now())
                            .started("https://pbx.load.example.com/join", "Load", null,
                                    List.of(Participant.external("+15550100", "Caller")));
                    kind = "cloudevents";
                    eventId = started.id();
                    request = ProviderWebhooks.cloudEvent(codec.encodeStructured(started));
                }
                case 1 -> {
                    sequence++;
                    Map<String, String> parameters = new LinkedHashMap<>();
                    parameters.put("AccountSid", "AC" + "0".repeat(32));
                    parameters.put("ConferenceSid", conference);
                    parameters.put("FriendlyName", "Load room " + client);
                    parameters.put("StatusCallbackEvent", "participant-join");
                    parameters.put("CallSid", "CA" + UUID.randomUUID().toString().replace("-", ""));
                    parameters.put("SequenceNumber", Long.toString(sequence));
                    parameters.put("Timestamp", TWILIO_TIME.format(Instant.now()));
                    kind = "twilio_conference";
                    eventId = conference + "/participant-join/" + sequence;
                    request = webhooks.twilioConference(parameters);
                }
                default -> {
                    String call = UUID.randomUUID().toString();
                    eventId = "wh-" + UUID.randomUUID();
                    kind = "voice_ai";
                    request = webhooks.voiceAi("{\"event_id\": \"" + eventId + "\", \"event\": \"call_started\", "
                            + "\"occurred_at\": \"" + Instant.now() + "\", \"call\": {\"call_id\": \"" + call + "\", "
                            + "\"from_number\": \"+15550100\", \"to_number\": \"+15550199\", \"agent_name\": \"Ava\", "
                            + "\"started_at\": \"" + Instant.now() + "\"}}", Instant.now());
                }
            }
            long sent = System.nanoTime();
            int status = post(request);
            answers.add(new Answered(kind, eventId, status, sent, System.nanoTime() - sent));
            if (status == NO_ANSWER) {
                pause();
            }
        }
    }

    private int post(ProviderWebhooks.Request request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.path()))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        try {
            return http.send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return NO_ANSWER;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NO_ANSWER;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_AFTER_NO_ANSWER.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
