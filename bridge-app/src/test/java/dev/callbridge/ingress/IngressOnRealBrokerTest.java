package dev.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.ingress.IngressClient.Answer;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.testkit.ProviderWebhooks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bridge ingress} on a real broker: each kind of webhook in, signed as its provider signs it,
 * and what lands in {@code telephony.call-events} out, read back as the bridge reads it.
 */
class IngressOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final String PUBLIC_URL = "https://hooks.example.com";
    private static final String TWILIO_TOKEN = "twilio-auth-token-under-test";
    private static final String VOICE_AI_SECRET = "whsec-voice-ai-under-test";
    private static final String CLOUD_EVENTS_TOKEN = "cloudevents-token-under-test";
    private static final int MAX_EVENT_BYTES = 4096;
    private static final ProviderWebhooks WEBHOOKS = new ProviderWebhooks(PUBLIC_URL, TWILIO_TOKEN, VOICE_AI_SECRET);
    private static final DateTimeFormatter TWILIO_TIME = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private static IngressService ingress;
    private static IngressClient client;
    private static String topic;
    private final CloudEventCodec codec = new CloudEventCodec();

    @BeforeAll
    static void startIngress() {
        BridgeConfig config = BridgeConfig.load(BridgeSettings.forIngress(KAFKA.bootstrapServers(), "ingress-")
                .with("BRIDGE_INGRESS_PUBLIC_URL", PUBLIC_URL)
                .with("BRIDGE_INGRESS_TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
                .with("BRIDGE_INGRESS_TWILIO_JOIN_URL_TEMPLATE", "https://console.example.com/voice/{call_id}")
                .with("BRIDGE_INGRESS_VOICEAI_WEBHOOK_SECRET", VOICE_AI_SECRET)
                .with("BRIDGE_INGRESS_VOICEAI_JOIN_URL_TEMPLATE", "https://voice.example.com/calls/{call_id}/listen")
                .with("BRIDGE_INGRESS_CLOUDEVENTS_TOKEN", CLOUD_EVENTS_TOKEN)
                .with("BRIDGE_EVENTS_MAX_BYTES", Integer.toString(MAX_EVENT_BYTES))
                .with("BRIDGE_INGRESS_BATCH_MAX_BYTES", Integer.toString(4 * MAX_EVENT_BYTES))
                .variables(), null, false);
        topic = config.ingress().topic();
        KAFKA.createTopics(3, topic);
        ingress = new IngressService(config.ingress()).start();
        client = new IngressClient(ingress.httpPort());
        await().atMost(Duration.ofSeconds(30)).until(ingress::isReady);
    }

    @AfterAll
    static void stopIngress() {
        if (ingress != null) {
            ingress.stop();
        }
    }

    @Nested
    class CloudEventsOverHttp {

        @Test
        void aStructuredEventIsWrittenKeyedByItsCallAsTheBridgeReadsIt() {
            CallEvent started = callEvents().started("https://pbx.example.com/join/1", "Support", null,
                    List.of(Participant.external("+15550100", "Bob")));

            Answer answer = client.send(authorized(ProviderWebhooks.cloudEvent(codec.encodeStructured(started))));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body().path("accepted").asInt()).isEqualTo(1);
            assertThat(written(started.subject())).containsExactly(started);
            assertThat(records(started.subject())).singleElement().satisfies(record -> {
                Header contentType = record.headers().lastHeader(CloudEventCodec.CONTENT_TYPE_HEADER);
                assertThat(new String(contentType.value(), StandardCharsets.UTF_8))
                        .isEqualTo(CloudEventCodec.STRUCTURED_CONTENT_TYPE);
            });
        }

        @Test
        void aBinaryModeEventIsWrittenInStructuredMode() {
            CallEvent joined = callEvents().joined(Participant.external("+15550101", "Zoë Ünal"));
            CloudEventCodec.BinaryEvent binary = codec.encodeBinary(joined);
            Map<String, String> headers = new LinkedHashMap<>();
            binary.headers().forEach((name, value) -> headers.put(
                    name.replace(CloudEventCodec.BINARY_HEADER_PREFIX, "ce-"), value));

            Answer answer = client.send(authorized(new ProviderWebhooks.Request(ProviderWebhooks.CLOUD_EVENTS_PATH,
                    headers, binary.data())));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(written(joined.subject())).containsExactly(joined);
        }

        @Test
        void aBatchIsWrittenWhole() {
            CallEvents call = callEvents();
            List<CallEvent> events = List.of(call.started("https://pbx.example.com/join/2"),
                    call.joined(Participant.slackUser("U0ALICE")), call.ended(30L, "completed"));

            Answer answer = client.send(authorized(ProviderWebhooks.cloudEventBatch(
                    events.stream().map(codec::encodeStructured).toList())));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body().path("accepted").asInt()).isEqualTo(3);
            assertThat(written(call.callId())).containsExactlyElementsOf(events);
        }

        @Test
        void aBatchWithOneInvalidEventIsRefusedWholeNamingTheEventAndTheField() {
            CallEvents call = callEvents();
            CallEvent started = call.started("https://pbx.example.com/join/3");
            CallEvent joined = call.joined(Participant.slackUser("U0BOB"));
            byte[] valid = codec.encodeStructured(started);
            String broken = new String(codec.encodeStructured(joined), StandardCharsets.UTF_8)
                    .replace("\"slack_id\":\"U0BOB\"", "\"display_name\":\"Bob\"");

            Answer answer = client.send(authorized(ProviderWebhooks.cloudEventBatch(
                    List.of(valid, broken.getBytes(StandardCharsets.UTF_8)))));

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body().path("violations").get(0).path("field").asText()).isEqualTo("[1].data.participant");
            assertThat(answer.body().path("violations").get(0).path("reason").asText()).isEqualTo("missing_field");
            assertThat(written(call.callId())).isEmpty();
        }

        @Test
        void anInvalidEventIsAnswered400NamingTheFieldAndNothingIsWritten() {
            CallEvent started = callEvents().started("https://pbx.example.com/join/4");
            String noJoinUrl = new String(codec.encodeStructured(started), StandardCharsets.UTF_8)
                    .replace("\"join_url\":\"https://pbx.example.com/join/4\",", "");

            Answer answer = client.send(authorized(ProviderWebhooks.cloudEvent(noJoinUrl.getBytes(StandardCharsets.UTF_8))));

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body().path("error").asText()).isEqualTo("invalid");
            assertThat(answer.body().path("violations")).singleElement().satisfies(violation -> {
                assertThat(violation.path("field").asText()).isEqualTo("data.join_url");
                assertThat(violation.path("reason").asText()).isEqualTo("missing_field");
                assertThat(violation.path("message").asText()).isEqualTo("is required");
            });
            assertThat(written(started.subject())).isEmpty();
        }

        @Test
        void anEventOverTheLimitIsAnswered413() {
            CallEvent started = callEvents().started("https://pbx.example.com/join/5", "x".repeat(MAX_EVENT_BYTES),
                    null, List.of());

            Answer answer = client.send(authorized(ProviderWebhooks.cloudEvent(codec.encodeStructured(started))));

            assertThat(answer.status()).isEqualTo(413);
            assertThat(answer.body().path("limit_bytes").asInt()).isEqualTo(MAX_EVENT_BYTES);
            assertThat(written(started.subject())).isEmpty();
        }

        @Test
        void withoutTheTokenNothingIsTaken() {
            CallEvent started = callEvents().started("https://pbx.example.com/join/6");

            Answer unsigned = client.send(ProviderWebhooks.cloudEvent(codec.encodeStructured(started)));
            Answer wrong = client.send(ProviderWebhooks.cloudEvent(codec.encodeStructured(started))
                    .with("Authorization", "Bearer " + CLOUD_EVENTS_TOKEN + "x"));

            assertThat(unsigned.status()).isEqualTo(401);
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(written(started.subject())).isEmpty();
        }

        @Test
        void aBodyInAnotherMediaTypeIsAnswered415AndAGetIs405() {
            Answer plain = client.send(authorized(new ProviderWebhooks.Request(ProviderWebhooks.CLOUD_EVENTS_PATH,
                    Map.of("Content-Type", "text/plain"), "hello".getBytes(StandardCharsets.UTF_8))));

            assertThat(plain.status()).isEqualTo(415);
            assertThat(client.get(ProviderWebhooks.CLOUD_EVENTS_PATH).status()).isEqualTo(405);
        }
    }

    @Nested
    class TwilioStatusCallbacks {

        @Test
        void aConferenceStartsTakesParticipantsInAndOutAndEnds() {
            String conference = "CF" + hex32();
            String alice = "CA" + hex32();
            Instant t = now();

            assertThat(client.send(WEBHOOKS.twilioConference(conferenceEvent(conference, "participant-join", 1, t,
                    Map.of("CallSid", alice, "ParticipantLabel", "Alice")))).status()).isEqualTo(200);
            assertThat(client.send(WEBHOOKS.twilioConference(conferenceEvent(conference, "conference-start", 2, t,
                    Map.of("FriendlyName", "Support room")))).status()).isEqualTo(200);
            assertThat(client.send(WEBHOOKS.twilioConference(conferenceEvent(conference, "participant-mute", 3, t,
                    Map.of("CallSid", alice)))).status()).isEqualTo(204);
            assertThat(client.send(WEBHOOKS.twilioConference(conferenceEvent(conference, "participant-leave", 4, t,
                    Map.of("CallSid", alice, "ParticipantLabel", "Alice")))).status()).isEqualTo(200);
            assertThat(client.send(WEBHOOKS.twilioConference(conferenceEvent(conference, "conference-end", 5, t,
                    Map.of("ReasonConferenceEnded", "last-participant-left")))).status()).isEqualTo(200);

            Participant aliceOnTheCall = Participant.external(alice, "Alice");
            assertThat(written(conference)).containsExactly(
                    new CallEvent(conference + "/participant-join/1", TwilioCallbacks.SOURCE,
                            CallEventType.PARTICIPANT_JOINED, conference, t, 1L, new CallEventData.Joined(aliceOnTheCall)),
                    new CallEvent(conference + "/conference-start/2", TwilioCallbacks.SOURCE, CallEventType.STARTED,
                            conference, t, 2L, new CallEventData.Started("https://console.example.com/voice/" + conference,
                                    null, null, "Support room", null, null, null, null, List.of())),
                    new CallEvent(conference + "/participant-leave/4", TwilioCallbacks.SOURCE,
                            CallEventType.PARTICIPANT_LEFT, conference, t, 4L, new CallEventData.Left(aliceOnTheCall)),
                    new CallEvent(conference + "/conference-end/5", TwilioCallbacks.SOURCE, CallEventType.ENDED,
                            conference, t, 5L, new CallEventData.Ended(null, "last-participant-left")));
        }

        @Test
        void aCallbackTwilioSendsAgainIsTheSameEvent() {
            String conference = "CF" + hex32();
            ProviderWebhooks.Request start = WEBHOOKS.twilioConference(conferenceEvent(conference, "conference-start", 0,
                    now(), Map.of()));

            assertThat(client.send(start).status()).isEqualTo(200);
            assertThat(client.send(start).status()).isEqualTo(200);

            List<CallEvent> written = written(conference);
            assertThat(written).hasSize(2);
            assertThat(written.get(0).dedupeKey()).isEqualTo(written.get(1).dedupeKey());
        }

        @Test
        void anAnsweredCallStartsAndItsCompletionEndsItWithTheDuration() {
            String call = "CA" + hex32();
            Instant t = now();

            assertThat(client.send(WEBHOOKS.twilioCall(callStatus(call, "ringing", 0, t, Map.of()))).status())
                    .isEqualTo(204);
            assertThat(client.send(WEBHOOKS.twilioCall(callStatus(call, "in-progress", 1, t, Map.of()))).status())
                    .isEqualTo(200);
            assertThat(client.send(WEBHOOKS.twilioCall(callStatus(call, "completed", 2, t.plusSeconds(42),
                    Map.of("CallDuration", "42")))).status()).isEqualTo(200);

            List<CallEvent> written = written(call);
            assertThat(written).extracting(CallEvent::type).containsExactly(CallEventType.STARTED, CallEventType.ENDED);
            assertThat(written.get(0).data()).isEqualTo(new CallEventData.Started(
                    "https://console.example.com/voice/" + call, null, null, "Call from +15550100 to +15550199", null,
                    null, null, null,
                    List.of(Participant.external("+15550100", "+15550100"), Participant.external("+15550199", "+15550199"))));
            assertThat(written.get(1).data()).isEqualTo(new CallEventData.Ended(42L, "completed"));
            assertThat(written).extracting(CallEvent::sequence).containsExactly(1L, 2L);
        }

        @Test
        void aForgedOrMisaddressedSignatureIsAnswered401AndNothingIsWritten() {
            String conference = "CF" + hex32();
            Map<String, String> start = conferenceEvent(conference, "conference-start", 0, now(), Map.of());
            ProviderWebhooks.Request signed = WEBHOOKS.twilioConference(start);
            ProviderWebhooks elsewhere = new ProviderWebhooks("https://other.example.com", TWILIO_TOKEN, VOICE_AI_SECRET);
            ProviderWebhooks otherAccount = new ProviderWebhooks(PUBLIC_URL, "another account's token", VOICE_AI_SECRET);

            assertThat(client.send(signed.with("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl")).status()).isEqualTo(401);
            assertThat(client.send(elsewhere.twilioConference(start)).status()).isEqualTo(401);
            assertThat(client.send(otherAccount.twilioConference(start)).status()).isEqualTo(401);
            assertThat(client.send(signed, "?extra=1").status()).isEqualTo(401);
            Answer unsigned = client.send(new ProviderWebhooks.Request(signed.path(),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"), signed.body()));
            assertThat(unsigned.status()).isEqualTo(401);
            assertThat(unsigned.body().path("message").asText()).isEqualTo("X-Twilio-Signature is missing");
            assertThat(written(conference)).isEmpty();
        }

        @Test
        void aSignedCallbackWithoutItsSequenceNumberIsAnswered400NamingIt() {
            String conference = "CF" + hex32();
            Map<String, String> start = new LinkedHashMap<>(conferenceEvent(conference, "conference-start", 0, now(), Map.of()));
            start.remove("SequenceNumber");

            Answer answer = client.send(WEBHOOKS.twilioConference(start));

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body().path("violations").get(0).path("field").asText()).isEqualTo("SequenceNumber");
            assertThat(written(conference)).isEmpty();
        }
    }

    @Nested
    class VoiceAiWebhooks {

        @Test
        void aCallStartsEndsAndIsAnalyzed() {
            String call = UUID.randomUUID().toString();
            Instant t = now();

            assertThat(client.send(WEBHOOKS.voiceAi(voiceAi("wh-1-" + call, "call_started", t, call,
                    "\"from_number\": \"+15550100\", \"to_number\": \"+15550199\", \"agent_name\": \"Ava\", "
                            + "\"started_at\": \"" + t + "\"", null), Instant.now())).status()).isEqualTo(200);
            assertThat(client.send(WEBHOOKS.voiceAi(voiceAi("wh-2-" + call, "call_ended", t.plusSeconds(60), call,
                    "\"duration_seconds\": 60, \"disconnect_reason\": \"user_hangup\"", null), Instant.now())).status())
                    .isEqualTo(200);
            assertThat(client.send(WEBHOOKS.voiceAi(voiceAi("wh-3-" + call, "call_analyzed", t.plusSeconds(90), call, "",
                    "{\"summary\": \"Moved the delivery.\", \"sentiment\": \"positive\", "
                            + "\"recording_url\": \"https://voice.example.com/rec/1.mp3\"}"), Instant.now())).status())
                    .isEqualTo(200);

            assertThat(written(call)).containsExactly(
                    new CallEvent("wh-1-" + call, VoiceAiEvents.SOURCE, CallEventType.STARTED, call, t, null,
                            new CallEventData.Started("https://voice.example.com/calls/" + call + "/listen", null, null,
                                    "Call with +15550199", null, t.getEpochSecond(), null, null,
                                    List.of(Participant.external("+15550100", "+15550100"),
                                            Participant.external("agent:Ava", "Ava")))),
                    new CallEvent("wh-2-" + call, VoiceAiEvents.SOURCE, CallEventType.ENDED, call, t.plusSeconds(60), null,
                            new CallEventData.Ended(60L, "user_hangup")),
                    new CallEvent("wh-3-" + call, VoiceAiEvents.SOURCE, CallEventType.ANALYZED, call, t.plusSeconds(90),
                            null, new CallEventData.Analyzed("Moved the delivery.", "positive",
                                    "https://voice.example.com/rec/1.mp3", null)));
        }

        @Test
        void aForgedOrStaleSignatureIsAnswered401AndNothingIsWritten() {
            String call = UUID.randomUUID().toString();
            String body = voiceAi("wh-" + call, "call_ended", now(), call, "", null);
            ProviderWebhooks otherSecret = new ProviderWebhooks(PUBLIC_URL, TWILIO_TOKEN, "another secret");

            assertThat(client.send(otherSecret.voiceAi(body, Instant.now())).status()).isEqualTo(401);
            Answer stale = client.send(WEBHOOKS.voiceAi(body, Instant.now().minus(Duration.ofMinutes(6))));
            assertThat(stale.status()).isEqualTo(401);
            assertThat(stale.body().path("message").asText()).contains("from the ingress's clock");
            assertThat(client.send(WEBHOOKS.voiceAi(body, Instant.now()).with("X-Provider-Signature", "t=1")).status())
                    .isEqualTo(401);
            assertThat(written(call)).isEmpty();
        }

        @Test
        void anAnalysisWithALinkNoBrowserOpensIsAnswered400NamingTheWebhooksField() {
            String call = UUID.randomUUID().toString();

            Answer answer = client.send(WEBHOOKS.voiceAi(voiceAi("wh-" + call, "call_analyzed", now(), call, "",
                    "{\"transcript_url\": \"s3://bucket/transcript.txt\"}"), Instant.now()));

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body().path("violations").get(0).path("field").asText()).isEqualTo("analysis.transcript_url");
            assertThat(answer.body().path("violations").get(0).path("reason").asText()).isEqualTo("invalid_field");
            assertThat(written(call)).isEmpty();
        }

        @Test
        void aWebhookWithoutItsCallIdIsAnswered400AndAnEventOfAnotherKindIsIgnored() {
            String call = UUID.randomUUID().toString();
            String noCall = "{\"event_id\": \"wh-" + call + "\", \"event\": \"call_started\", \"occurred_at\": \""
                    + now() + "\", \"call\": {\"agent_name\": \"Ava\"}}";

            Answer missing = client.send(WEBHOOKS.voiceAi(noCall, Instant.now()));
            Answer other = client.send(WEBHOOKS.voiceAi(voiceAi("wh-x-" + call, "call_transferred", now(), call, "", null),
                    Instant.now()));

            assertThat(missing.status()).isEqualTo(400);
            assertThat(missing.body().path("violations").get(0).path("field").asText()).isEqualTo("call.call_id");
            assertThat(other.status()).isEqualTo(204);
            assertThat(written(call)).isEmpty();
        }
    }

    @Test
    void theMetricsCountEachEndpointsOutcomesAndShowNoSecret() {
        client.send(WEBHOOKS.twilioConference(conferenceEvent("CF" + hex32(), "conference-start", 0, now(), Map.of())));
        client.send(ProviderWebhooks.cloudEvent("{}".getBytes(StandardCharsets.UTF_8)));

        String metrics = client.text("/metrics");

        assertThat(metrics)
                .contains("bridge_ingress_requests_total{endpoint=\"twilio_conference\",outcome=\"accepted\"}")
                .contains("bridge_ingress_requests_total{endpoint=\"cloudevents\",outcome=\"unauthorized\"}")
                .contains("bridge_ingress_events_total{endpoint=\"twilio_conference\",type=\"call.started\"}")
                .contains("bridge_ingress_acknowledged_seconds_bucket{endpoint=\"twilio_conference\"")
                .contains("kafka_producer_")
                .doesNotContain(TWILIO_TOKEN, VOICE_AI_SECRET, CLOUD_EVENTS_TOKEN);
        assertThat(client.get("/readyz").status()).isEqualTo(200);
        assertThat(client.get("/healthz").status()).isEqualTo(200);
    }

    private static ProviderWebhooks.Request authorized(ProviderWebhooks.Request request) {
        return request.with("Authorization", "Bearer " + CLOUD_EVENTS_TOKEN);
    }

    private static CallEvents callEvents() {
        return CallEvents.sequenced(UUID.randomUUID().toString(), "urn:test:pbx", now());
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String hex32() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static Map<String, String> conferenceEvent(String conference, String event, int sequence, Instant time,
            Map<String, String> more) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", "AC" + "0".repeat(32));
        parameters.put("ConferenceSid", conference);
        parameters.put("StatusCallbackEvent", event);
        parameters.put("SequenceNumber", Integer.toString(sequence));
        parameters.put("Timestamp", TWILIO_TIME.format(time));
        parameters.putAll(more);
        return parameters;
    }

    private static Map<String, String> callStatus(String call, String status, int sequence, Instant time,
            Map<String, String> more) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AccountSid", "AC" + "0".repeat(32));
        parameters.put("CallSid", call);
        parameters.put("CallStatus", status);
        parameters.put("From", "+15550100");
        parameters.put("To", "+15550199");
        parameters.put("Direction", "inbound");
        parameters.put("CallbackSource", "call-progress-events");
        parameters.put("SequenceNumber", Integer.toString(sequence));
        parameters.put("Timestamp", TWILIO_TIME.format(time));
        parameters.putAll(more);
        return parameters;
    }

    private static String voiceAi(String eventId, String event, Instant occurredAt, String callId, String callFields,
            String analysis) {
        return "{\"event_id\": \"" + eventId + "\", \"event\": \"" + event + "\", \"occurred_at\": \"" + occurredAt
                + "\", \"call\": {\"call_id\": \"" + callId + "\"" + (callFields.isEmpty() ? "" : ", " + callFields) + "}"
                + (analysis == null ? "" : ", \"analysis\": " + analysis) + "}";
    }

    private List<ConsumerRecord<byte[], byte[]>> records(String callId) {
        return CommittedRecords.readAll(KAFKA.bootstrapServers(), topic).stream()
                .filter(record -> record.key() != null && new String(record.key(), StandardCharsets.UTF_8).equals(callId))
                .toList();
    }

    /** The call's events in the topic, in the order written (one call stays on one partition). */
    private List<CallEvent> written(String callId) {
        return records(callId).stream()
                .map(record -> codec.decode(record.value(), Map.of(CloudEventCodec.CONTENT_TYPE_HEADER,
                        new String(record.headers().lastHeader(CloudEventCodec.CONTENT_TYPE_HEADER).value(),
                                StandardCharsets.UTF_8))))
                .toList();
    }
}
