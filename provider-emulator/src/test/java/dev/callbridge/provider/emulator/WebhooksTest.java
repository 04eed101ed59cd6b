package dev.callbridge.provider.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.twilio.security.RequestValidator;
import dev.callbridge.provider.emulator.WebhookDelivery.Status;
import dev.callbridge.provider.emulator.WebhookReceiver.Received;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the platform tells about its calls: signed webhooks with retries, and Twilio's status callbacks. */
class WebhooksTest {

    private static final String SECRET = "whsec-test";
    private static final String TWILIO_TOKEN = "twilio-auth-token-test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Duration> QUICK_RETRIES =
            List.of(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50));

    private final WebhookReceiver receiver = new WebhookReceiver();
    private ProviderEmulator provider;

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        receiver.close();
    }

    private ProviderEmulatorClient provider(ProviderEmulator.Builder builder) {
        provider = builder.apiKey("key").webhookSecret(SECRET).twilioAuthToken(TWILIO_TOKEN)
                .webhookRetryDelays(QUICK_RETRIES).analysisDelay(Duration.ofMillis(300)).build().start();
        return provider.client();
    }

    private List<JsonNode> bodies() {
        return receiver.received().stream().map(r -> {
            try {
                return JSON.readTree(r.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** The signature as the contract defines it, computed apart from the emulator's own code. */
    private static String expectedSignature(String header, String body) throws Exception {
        String t = header.split(",")[0].substring(2);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aCallIsToldStartedEndedAndAnalysedInSignedWebhooks() throws Exception {
        ProviderEmulatorClient client = provider(ProviderEmulator.builder().webhookUrl(receiver.url("/hooks")));
        CallSnapshot call = client.start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));
        client.hangUp(call.callId(), "user_hangup");

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 3);
        List<JsonNode> bodies = bodies();
        assertThat(bodies).extracting(b -> b.get("event").asText())
                .containsExactly("call_started", "call_ended", "call_analyzed");
        assertThat(bodies).extracting(b -> b.get("event_id").asText()).doesNotHaveDuplicates();
        JsonNode started = bodies.get(0).get("call");
        assertThat(started.get("call_id").asText()).isEqualTo(call.callId());
        assertThat(started.get("from_number").asText()).isEqualTo("+15550100");
        assertThat(started.get("to_number").asText()).isEqualTo("+15550199");
        assertThat(started.get("agent_name").asText()).isEqualTo("Ava");
        assertThat(started.has("ended_at")).isFalse();
        JsonNode ended = bodies.get(1).get("call");
        assertThat(ended.get("disconnect_reason").asText()).isEqualTo("user_hangup");
        assertThat(ended.get("duration_seconds").isInt()).isTrue();
        assertThat(Instant.parse(bodies.get(1).get("occurred_at").asText())).isEqualTo(Instant.parse(ended.get("ended_at").asText()));
        JsonNode analysis = bodies.get(2).get("analysis");
        assertThat(analysis.get("summary").asText()).contains("Ava", "user_hangup");
        assertThat(analysis.get("sentiment").asText()).isIn("positive", "neutral", "negative", "mixed");
        assertThat(analysis.get("recording_url").asText()).startsWith("https://");
        assertThat(analysis.get("transcript_url").asText()).startsWith("https://");
        for (Received request : receiver.received()) {
            assertThat(request.contentType()).startsWith("application/json");
            String signature = request.header("X-Provider-Signature");
            assertThat(signature).isEqualTo(expectedSignature(signature, request.body()));
            long t = Long.parseLong(signature.split(",")[0].substring(2));
            assertThat(Math.abs(Instant.now().getEpochSecond() - t)).isLessThan(60);
        }
        assertThat(client.webhooks()).extracting(WebhookDelivery::status).containsOnly(Status.DELIVERED);
    }

    @Test
    void aFailedWebhookIsRetriedWithTheSameEventIdUntilItIsTaken() {
        receiver.answering(500, 503);
        ProviderEmulatorClient client = provider(ProviderEmulator.builder().webhookUrl(receiver.url("/hooks")));

        client.start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 3);
        assertThat(bodies()).extracting(b -> b.get("event_id").asText()).containsOnly(bodies().get(0).get("event_id").asText());
        assertThat(client.webhooks()).singleElement().satisfies(delivery -> {
            assertThat(delivery.status()).isEqualTo(Status.DELIVERED);
            assertThat(delivery.attempts()).extracting(WebhookDelivery.Attempt::httpStatus).containsExactly(500, 503, 200);
        });
    }

    @Test
    void anUnreachableReceiverFailsTheWebhookAfterItsRetries() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ProviderEmulatorClient client =
                provider(ProviderEmulator.builder().webhookUrl("http://127.0.0.1:" + closedPort + "/hooks"));

        client.start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));

        await().atMost(Duration.ofSeconds(10)).until(() -> client.webhooks().get(0).status() == Status.FAILED);
        assertThat(client.webhooks().get(0).attempts()).hasSize(1 + QUICK_RETRIES.size())
                .extracting(WebhookDelivery.Attempt::error).containsOnly("connection_failed");
    }

    @Test
    void theDuplicateFaultDeliversEachWebhookTwiceWithOneEventId() {
        ProviderEmulatorClient client = provider(ProviderEmulator.builder().webhookUrl(receiver.url("/hooks"))
                .faults(Faults.none().withDuplicateWebhooks(true)));

        client.start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 2);
        assertThat(bodies()).extracting(b -> b.get("event_id").asText()).hasSize(2).containsOnly(bodies().get(0).get("event_id").asText());
        assertThat(client.webhooks()).extracting(WebhookDelivery::duplicateOf).containsExactly(null, client.webhooks().get(0).id());
    }

    @Test
    void theSlowFaultHoldsEachWebhookBack() {
        ProviderEmulatorClient client = provider(ProviderEmulator.builder().webhookUrl(receiver.url("/hooks"))
                .faults(Faults.none().withWebhookDelayMillis(700)));
        long before = System.currentTimeMillis();

        client.start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
        assertThat(receiver.received().get(0).atMillis() - before).isGreaterThanOrEqualTo(700);
    }

    @Test
    void aTwilioFlavouredCallSendsSignedStatusCallbacksThatTwiliosValidatorAccepts() {
        String url = receiver.url("/twilio/status?source=emulator");
        ProviderEmulatorClient client = provider(ProviderEmulator.builder().webhookUrl(receiver.url("/hooks"))
                .twilioStatusCallbackUrl(url));
        CallSnapshot call = client.start(StartCall.twilio("+15550100", "+15550199", "Ava"));
        client.hangUp(call.callId(), "user_hangup");

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 4);
        RequestValidator validator = new RequestValidator(TWILIO_TOKEN);
        List<Map<String, String>> callbacks = receiver.received().stream().map(request -> {
            assertThat(request.contentType()).startsWith("application/x-www-form-urlencoded");
            Map<String, String> params = form(request.body());
            assertThat(validator.validate(url, params, request.header("X-Twilio-Signature")))
                    .as("Twilio's validator accepts %s", params).isTrue();
            assertThat(new RequestValidator("another-token").validate(url, params, request.header("X-Twilio-Signature")))
                    .isFalse();
            return params;
        }).toList();
        assertThat(callbacks).extracting(p -> p.get("CallStatus"))
                .containsExactly("initiated", "ringing", "in-progress", "completed");
        assertThat(callbacks).extracting(p -> p.get("SequenceNumber")).containsExactly("0", "1", "2", "3");
        assertThat(callbacks).extracting(p -> p.get("CallSid")).containsOnly(call.callSid());
        assertThat(call.callSid()).matches("CA[0-9a-f]{32}");
        assertThat(callbacks.get(3)).containsKey("CallDuration").containsEntry("From", "+15550100");
        assertThat(client.webhooks()).extracting(WebhookDelivery::flavour).containsOnly(Flavour.TWILIO);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            String[] parts = pair.split("=", 2);
            params.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8), URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        return params;
    }
}
