package dev.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CloudEvents HTTP binding's three modes, as the ingress reads them. */
class CloudEventsWebhookTest {

    private static final int MAX_EVENT_BYTES = 2048;
    private final CloudEventCodec codec = new CloudEventCodec(MAX_EVENT_BYTES);
    private final CloudEventsWebhook webhook =
            new CloudEventsWebhook(new InputRecords(codec, MAX_EVENT_BYTES), MAX_EVENT_BYTES, 8 * MAX_EVENT_BYTES, null);

    @Test
    void binaryModeHeadersArePercentDecodedAsTheBindingWritesThem() {
        Map<String, List<String>> headers = Map.of(
                "ce-specversion", List.of("1.0"),
                "ce-id", List.of("evt-1"),
                "ce-source", List.of("urn:test:pbx"),
                "ce-type", List.of("call.participant.joined"),
                "ce-subject", List.of("call%201"),
                "ce-time", List.of("2026-01-31T09:30:00Z"),
                "content-type", List.of("application/json"));
        byte[] data = "{\"participant\": {\"slack_id\": \"U0ALICE\"}}".getBytes(StandardCharsets.UTF_8);

        Intake intake = webhook.read(new WebhookRequest(CloudEventsWebhook.PATH, null, headers, data));

        assertThat(intake).isInstanceOfSatisfying(Intake.Events.class, events -> assertThat(events.records())
                .extracting(InputRecord::event)
                .containsExactly(new CallEvent("evt-1", "urn:test:pbx", CallEventType.PARTICIPANT_JOINED, "call 1",
                        Instant.parse("2026-01-31T09:30:00Z"), null, new CallEventData.Joined(Participant.slackUser("U0ALICE")))));
    }

    @Test
    void percentDecodingUndoesEscapesOnlyAndKeepsEveryCharacter() {
        assertThat(CloudEventsWebhook.percentDecoded("Zo%C3%AB %E2%9C%93 100%")).isEqualTo("Zoë ✓ 100%");
        assertThat(CloudEventsWebhook.percentDecoded("50%zz and 😀")).isEqualTo("50%zz and 😀");
    }

    @Test
    void anEmptyBatchIsTakenAndABatchThatIsNoArrayIsRefused() {
        assertThat(webhook.read(batch("[]"))).isEqualTo(new Intake.Events(List.of()));
        assertThat(webhook.read(batch("{\"specversion\": \"1.0\"}"))).isEqualTo(new Intake.Invalid(List.of(
                new Violation("batch", RejectReason.UNPARSEABLE, "must be a JSON array of structured-mode CloudEvents"))));
    }

    @Test
    void anEventOfABatchOverTheLimitIsNamedByItsIndex() {
        CallEvent big = new CallEvent("evt-2", "urn:test:pbx", CallEventType.UPDATED, "call-2",
                Instant.parse("2026-01-31T09:30:00Z"), null, new CallEventData.Updated("x".repeat(MAX_EVENT_BYTES), null, null));

        Intake intake = webhook.read(batch("[" + new String(codec.encodeStructured(big), StandardCharsets.UTF_8) + "]"));

        assertThat(intake).isInstanceOfSatisfying(Intake.Invalid.class, invalid -> assertThat(invalid.violations())
                .singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("[0].record");
                    assertThat(v.reason()).isEqualTo(RejectReason.OVERSIZE);
                }));
    }

    @Test
    void aBodyThatIsNeitherModeIsAnUnsupportedMediaType() {
        Intake intake = webhook.read(new WebhookRequest(CloudEventsWebhook.PATH, null,
                Map.of("content-type", List.of("application/json")), "{}".getBytes(StandardCharsets.UTF_8)));

        assertThat(intake).isInstanceOf(Intake.UnsupportedMediaType.class);
    }

    private static WebhookRequest batch(String body) {
        return new WebhookRequest(CloudEventsWebhook.PATH, null,
                Map.of("content-type", List.of(CloudEventsWebhook.BATCH_MEDIA_TYPE)), body.getBytes(StandardCharsets.UTF_8));
    }
}
