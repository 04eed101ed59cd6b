package dev.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which of Twilio's callbacks become which call events, and what the rest come to. */
class TwilioCallbacksTest {

    private static final String TIMESTAMP = "Tue, 04 Aug 2015 18:09:26 +0000";
    private static final Instant AT = Instant.parse("2015-08-04T18:09:26Z");
    private final TwilioCallbacks callbacks = new TwilioCallbacks(new JoinLinks("https://console.example.com/c/{call_id}"),
            new InputRecords(new CloudEventCodec(), CloudEventCodec.DEFAULT_MAX_RECORD_BYTES));

    @ParameterizedTest(name = "call status {0} is ignored")
    @ValueSource(strings = {"queued", "initiated", "ringing", "busy", "no-answer", "failed", "canceled", "something-new"})
    void statusesBeforeOrInsteadOfACallAreIgnored(String status) {
        assertThat(callbacks.callStatus(call(status, Map.of()))).isInstanceOf(Intake.Ignored.class);
    }

    @Test
    void anAnsweredCallStartsWithBothEnds() {
        CallEvent started = only(callbacks.callStatus(call("in-progress", Map.of("From", "+15550100", "To", "client:alice"))));

        assertThat(started).isEqualTo(new CallEvent("CA1/in-progress/3", TwilioCallbacks.SOURCE, CallEventType.STARTED,
                "CA1", AT, 3L, new CallEventData.Started("https://console.example.com/c/CA1", null, null,
                        "Call from +15550100 to client:alice", null, null, null, null,
                        List.of(Participant.external("+15550100", "+15550100"),
                                Participant.external("client:alice", "client:alice")))));
    }

    @Test
    void aCompletedCallEndsWithItsDuration() {
        CallEvent ended = only(callbacks.callStatus(call("completed", Map.of("CallDuration", "754"))));

        assertThat(ended.id()).isEqualTo("CA1/completed/3");
        assertThat(ended.data()).isEqualTo(new CallEventData.Ended(754L, "completed"));
    }

    @ParameterizedTest(name = "conference event {0} is ignored")
    @ValueSource(strings = {"participant-mute", "participant-unmute", "participant-hold", "participant-unhold",
            "participant-modify", "participant-speech-start", "participant-speech-stop", "announcement-end",
            "announcement-fail"})
    void conferenceEventsSlackDoesNotShowAreIgnored(String event) {
        assertThat(callbacks.conference(conference(event, Map.of("CallSid", "CA2")))).isInstanceOf(Intake.Ignored.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"conference-start, STARTED", "participant-join, PARTICIPANT_JOINED", "participant-leave, PARTICIPANT_LEFT",
            "conference-end, ENDED"})
    void theConferencesLifecycleBecomesTheCallsEvents(String event, CallEventType type) {
        CallEvent mapped = only(callbacks.conference(conference(event, Map.of("CallSid", "CA2"))));

        assertThat(mapped.type()).isEqualTo(type);
        assertThat(mapped.subject()).isEqualTo("CF1");
        assertThat(mapped.id()).isEqualTo("CF1/" + event + "/3");
        assertThat(mapped.sequence()).isEqualTo(3L);
    }

    @Test
    void aParticipantIsTheirCallShownByTheirLabel() {
        CallEvent joined = only(callbacks.conference(conference("participant-join",
                Map.of("CallSid", "CA2", "ParticipantLabel", "customer"))));
        CallEvent unlabelled = only(callbacks.conference(conference("participant-leave", Map.of("CallSid", "CA3"))));

        assertThat(joined.data()).isEqualTo(new CallEventData.Joined(Participant.external("CA2", "customer")));
        assertThat(unlabelled.data()).isEqualTo(new CallEventData.Left(Participant.external("CA3", "CA3")));
    }

    @Test
    void aCallbackWithoutWhatAnEventNeedsNamesEachMissingOrMalformedParameter() {
        Map<String, String> parameters = conference("participant-join", Map.of("Timestamp", "yesterday"));
        parameters.put("SequenceNumber", "-1");

        assertThat(callbacks.conference(parameters)).isEqualTo(new Intake.Invalid(List.of(
                new Violation("SequenceNumber", RejectReason.INVALID_FIELD, "must be a whole number from 0 up, got \"-1\""),
                new Violation("Timestamp", RejectReason.INVALID_FIELD,
                        "must be an RFC 2822 time such as \"Tue, 04 Aug 2015 18:09:26 +0000\", got \"yesterday\""),
                new Violation("CallSid", RejectReason.MISSING_FIELD, "is required"))));
    }

    private static CallEvent only(Intake intake) {
        assertThat(intake).isInstanceOf(Intake.Events.class);
        return ((Intake.Events) intake).records().get(0).event();
    }

    private static Map<String, String> call(String status, Map<String, String> more) {
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("CallSid", "CA1", "CallStatus", status,
                "SequenceNumber", "3", "Timestamp", TIMESTAMP));
        parameters.putAll(more);
        return parameters;
    }

    private static Map<String, String> conference(String event, Map<String, String> more) {
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("ConferenceSid", "CF1", "StatusCallbackEvent", event,
                "SequenceNumber", "3", "Timestamp", TIMESTAMP, "FriendlyName", "room"));
        parameters.putAll(more);
        return parameters;
    }
}
