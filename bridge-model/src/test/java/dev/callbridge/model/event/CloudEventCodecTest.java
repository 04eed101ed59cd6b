package dev.callbridge.model.event;

import static dev.callbridge.model.ModelFixtures.ALICE;
import static dev.callbridge.model.ModelFixtures.BOB;
import static dev.callbridge.model.ModelFixtures.CALL_ID;
import static dev.callbridge.model.ModelFixtures.STARTED_AT;
import static dev.callbridge.model.ModelFixtures.STARTED_AT_SECONDS;
import static dev.callbridge.model.ModelFixtures.binaryHeaders;
import static dev.callbridge.model.ModelFixtures.bytes;
import static dev.callbridge.model.ModelFixtures.expectedEvent;
import static dev.callbridge.model.ModelFixtures.structuredEvent;
import static dev.callbridge.model.ModelFixtures.utf8;
import static dev.callbridge.model.event.RejectReason.INVALID_FIELD;
import static dev.callbridge.model.event.RejectReason.MISSING_FIELD;
import static dev.callbridge.model.event.RejectReason.OVERSIZE;
import static dev.callbridge.model.event.RejectReason.UNKNOWN_TYPE;
import static dev.callbridge.model.event.RejectReason.UNPARSEABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.model.ModelFixtures;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CloudEventCodecTest {

    private final CloudEventCodec codec = new CloudEventCodec();

    /** For each event type: a {@code data} object as a provider sends it, and what the bridge reads from it. */
    static Stream<Arguments> dataOfEveryType() {
        return Stream.of(
                Arguments.of("call.started", """
                        {"join_url": "https://pbx.example.com/join/6f1c2a90",
                         "desktop_app_join_url": "pbxapp://join/6f1c2a90",
                         "external_display_id": "4711", "title": "Support line", "created_by": "U0HOST",
                         "date_start": 1769851800, "channel": "C0SUPPORT", "team_id": "T0ACME",
                         "participants": [
                           {"slack_id": "U0ALICE"},
                           {"external_id": "+15550100", "display_name": "Bob Caller",
                            "avatar_url": "https://example.com/avatars/bob.png"}]}
                        """,
                        new CallEventData.Started("https://pbx.example.com/join/6f1c2a90", "pbxapp://join/6f1c2a90",
                                "4711", "Support line", "U0HOST", STARTED_AT_SECONDS, "C0SUPPORT", "T0ACME",
                                List.of(ALICE, BOB))),
                Arguments.of("call.participant.joined", """
                        {"participant": {"external_id": "+15550100", "display_name": "Bob Caller",
                                         "avatar_url": "https://example.com/avatars/bob.png"}}
                        """,
                        new CallEventData.Joined(BOB)),
                Arguments.of("call.participant.left", """
                        {"participant": {"slack_id": "U0ALICE"}}
                        """,
                        new CallEventData.Left(ALICE)),
                Arguments.of("call.updated", """
                        {"title": "Escalation"}
                        """,
                        new CallEventData.Updated("Escalation", null, null)),
                Arguments.of("call.ended", """
                        {"duration": 754, "disconnect_reason": "completed"}
                        """,
                        new CallEventData.Ended(754L, "completed")),
                Arguments.of("call.analyzed", """
                        {"summary": "Moved the delivery to Friday.", "sentiment": "positive",
                         "recording_url": "https://voice.example.com/rec/1.mp3"}
                        """,
                        new CallEventData.Analyzed("Moved the delivery to Friday.", "positive",
                                "https://voice.example.com/rec/1.mp3", null)));
    }

    @Nested
    class StructuredMode {

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.callbridge.model.event.CloudEventCodecTest#dataOfEveryType")
        void decodesEveryEventType(String type, String dataJson, CallEventData expectedData) {
            byte[] value = bytes(structuredEvent(type, dataJson));

            assertThat(codec.decode(value, Map.of())).isEqualTo(expectedEvent(type, expectedData));
        }

        @Test
        void acceptsTheSequenceAsNumericText() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.put("sequence", "1234567");

            assertThat(codec.decode(bytes(event), Map.of()).sequence()).isEqualTo(1_234_567L);
        }

        @Test
        void readsTheTimeWithItsOffsetAsAnInstant() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.put("time", "2026-01-31T10:30:00.250+01:00");

            assertThat(codec.decode(bytes(event), Map.of()).time()).hasToString("2026-01-31T09:30:00.250Z");
        }

        @Test
        void callEndedNeedsNoData() {
            byte[] value = bytes(structuredEvent("call.ended", null));

            assertThat(codec.decode(value, Map.of()).data()).isEqualTo(new CallEventData.Ended(null, null));
        }

        @Test
        void treatsNullAndBlankOptionalFieldsAsNotGiven() {
            byte[] value = bytes(structuredEvent("call.started", """
                    {"join_url": "https://pbx.example.com/join/6f1c2a90", "desktop_app_join_url": "",
                     "title": " ", "date_start": null, "participants": null}
                    """));

            assertThat(codec.decode(value, Map.of()).data()).isEqualTo(new CallEventData.Started(
                    "https://pbx.example.com/join/6f1c2a90", null, null, null, null, null, null, null, List.of()));
        }

        @Test
        void aSlackIdOutranksExternalFieldsOfTheSameParticipant() {
            byte[] value = bytes(structuredEvent("call.participant.joined", """
                    {"participant": {"slack_id": "U0ALICE", "external_id": "+15550111", "display_name": "Alice"}}
                    """));

            assertThat(codec.decode(value, Map.of()).data()).isEqualTo(new CallEventData.Joined(ALICE));
        }
    }

    @Nested
    class BinaryMode {

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.callbridge.model.event.CloudEventCodecTest#dataOfEveryType")
        void decodesEveryEventType(String type, String dataJson, CallEventData expectedData) {
            CallEvent event = codec.decode(utf8(dataJson), binaryHeaders(type));

            assertThat(event).isEqualTo(expectedEvent(type, expectedData));
        }

        @Test
        void callEndedMayHaveAnEmptyValue() {
            CallEvent event = codec.decode(new byte[0], binaryHeaders("call.ended"));

            assertThat(event.data()).isEqualTo(new CallEventData.Ended(null, null));
        }

        @Test
        void takesTheDataContentTypeFromTheContentTypeHeader() {
            Map<String, String> headers = binaryHeaders("call.ended");
            headers.put("content-type", "text/plain");

            assertThat(violationsOf(utf8("{}"), headers))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("datacontenttype", INVALID_FIELD));
        }
    }

    @Nested
    class RoundTrip {

        static Stream<Named<CallEvent>> supportCallEvents() {
            return ModelFixtures.supportCallEvents().map(event -> Named.of(event.type().wireName() + " " + event.id(), event));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("supportCallEvents")
        void structuredEncodingDecodesToTheSameEvent(CallEvent original) {
            byte[] value = codec.encodeStructured(original);

            assertThat(codec.decode(value, Map.of())).isEqualTo(original);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("supportCallEvents")
        void binaryEncodingDecodesToTheSameEvent(CallEvent original) {
            CloudEventCodec.BinaryEvent binary = codec.encodeBinary(original);

            assertThat(binary.headers()).containsEntry("ce_specversion", "1.0").containsEntry("ce_subject", CALL_ID);
            assertThat(codec.decode(binary.data(), binary.headers())).isEqualTo(original);
        }
    }

    @Nested
    class Rejections {

        @Test
        void bytesThatAreNotJsonAreUnparseable() {
            assertThat(violationsOf(utf8("{\"specversion\": \"1.0\", "), Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("record", UNPARSEABLE));
        }

        @Test
        void anEmptyValueIsUnparseable() {
            assertThat(violationsOf(new byte[0], Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("record", UNPARSEABLE));
        }

        @Test
        void aJsonArrayIsNotAStructuredEvent() {
            byte[] value = utf8("[" + structuredEvent("call.ended", "{}") + "]");

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("record", UNPARSEABLE));
        }

        @Test
        void aRecordOverTheSizeLimitIsOversize() {
            CloudEventCodec oneKilobyte = new CloudEventCodec(1024);
            byte[] value = bytes(structuredEvent("call.started", """
                    {"join_url": "https://pbx.example.com/join/6f1c2a90", "title": "%s"}
                    """.formatted("x".repeat(1024))));

            InvalidEventException rejected = rejection(() -> oneKilobyte.decode(value, Map.of()));

            assertThat(rejected.reason()).isEqualTo(OVERSIZE);
            assertThat(rejected.violations()).extracting(Violation::field).containsExactly("record");
        }

        @Test
        void binaryHeadersCountTowardsTheSizeLimit() {
            CloudEventCodec limit = new CloudEventCodec(300);
            Map<String, String> headers = binaryHeaders("call.ended");
            assertThat(limit.decode(utf8("{}"), headers).type()).isEqualTo(CallEventType.ENDED);

            headers.put("ce_traceparent", "t".repeat(200));

            assertThat(rejection(() -> limit.decode(utf8("{}"), headers)).reason()).isEqualTo(OVERSIZE);
        }

        @Test
        void anUnknownTypeIsRejectedWithoutLookingAtData() {
            byte[] value = bytes(structuredEvent("call.transferred", "{\"to\": 7}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("type", UNKNOWN_TYPE));
        }

        @Test
        void anEventWithoutSubjectMissesAField() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.remove("subject");

            assertThat(violationsOf(bytes(event), Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("subject", MISSING_FIELD));
        }

        @Test
        void aBlankSubjectCountsAsMissing() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.put("subject", "  ");

            assertThat(violationsOf(bytes(event), Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("subject", MISSING_FIELD));
        }

        @Test
        void callStartedWithoutJoinUrlMissesDataJoinUrl() {
            byte[] value = bytes(structuredEvent("call.started", "{\"title\": \"Support line\"}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.join_url", MISSING_FIELD));
        }

        @Test
        void binaryCallStartedWithAnEmptyValueMissesData() {
            assertThat(violationsOf(new byte[0], binaryHeaders("call.started")))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data", MISSING_FIELD));
        }

        @Test
        void aDateStartWrittenAsTextIsAnInvalidField() {
            byte[] value = bytes(structuredEvent("call.started", """
                    {"join_url": "https://pbx.example.com/join/6f1c2a90", "date_start": "1769851800"}
                    """));

            List<Violation> violations = violationsOf(value, Map.of());

            assertThat(violations).extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.date_start", INVALID_FIELD));
            assertThat(violations.get(0).message()).contains("integer");
        }

        @Test
        void aRelativeJoinUrlIsAnInvalidField() {
            byte[] value = bytes(structuredEvent("call.started", "{\"join_url\": \"/join/6f1c2a90\"}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.join_url", INVALID_FIELD));
        }

        @Test
        void aTimeThatIsNotRfc3339IsAnInvalidField() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.put("time", "31/01/2026 09:30");

            assertThat(violationsOf(bytes(event), Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("time", INVALID_FIELD));
        }

        @Test
        void aNegativeDurationIsAnInvalidField() {
            byte[] value = bytes(structuredEvent("call.ended", "{\"duration\": -5}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.duration", INVALID_FIELD));
        }

        @Test
        void aNegativeSequenceIsAnInvalidField() {
            Map<String, String> headers = binaryHeaders("call.ended");
            headers.put("ce_sequence", "-3");

            assertThat(violationsOf(utf8("{}"), headers))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("sequence", INVALID_FIELD));
        }

        @Test
        void aSpecVersionOtherThan10IsAnInvalidField() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.put("specversion", "0.3");

            assertThat(violationsOf(bytes(event), Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("specversion", INVALID_FIELD));
        }

        @Test
        void aParticipantWithNeitherSlackIdNorExternalIdMissesAnIdentity() {
            byte[] value = bytes(structuredEvent("call.participant.joined",
                    "{\"participant\": {\"display_name\": \"Bob Caller\"}}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.participant", MISSING_FIELD));
        }

        @Test
        void anExternalParticipantWithoutDisplayNameMissesIt() {
            byte[] value = bytes(structuredEvent("call.participant.left",
                    "{\"participant\": {\"external_id\": \"+15550100\"}}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.participant.display_name", MISSING_FIELD));
        }

        @Test
        void callUpdatedWithoutAnyDetailMissesData() {
            byte[] value = bytes(structuredEvent("call.updated", "{}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data", MISSING_FIELD));
        }

        @Test
        void callUpdatedWhoseDetailsAreAllNullOrBlankMissesData() {
            byte[] value = bytes(structuredEvent("call.updated", "{\"title\": null, \"join_url\": \" \"}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data", MISSING_FIELD));
        }

        @Test
        void callUpdatedWithAWronglyTypedDetailReportsOnlyThatField() {
            byte[] value = bytes(structuredEvent("call.updated", "{\"title\": 42}"));

            assertThat(violationsOf(value, Map.of()))
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.title", INVALID_FIELD));
        }

        @Test
        void reportsEveryViolationAtOnceWithMissingFieldsFirst() {
            ObjectNode event = structuredEvent("call.started", """
                    {"join_url": "https://pbx.example.com/join/6f1c2a90", "date_start": -1,
                     "participants": [{"slack_id": "U0ALICE"}, {"external_id": "+15550100"}]}
                    """);
            event.remove("subject");
            event.put("time", "yesterday");

            InvalidEventException rejected = rejection(() -> codec.decode(bytes(event), Map.of()));

            assertThat(rejected.violations())
                    .extracting(Violation::field, Violation::reason)
                    .containsExactlyInAnyOrder(
                            tuple("subject", MISSING_FIELD),
                            tuple("time", INVALID_FIELD),
                            tuple("data.date_start", INVALID_FIELD),
                            tuple("data.participants[1].display_name", MISSING_FIELD));
            assertThat(rejected.reason()).as("the first violation decides the dead-letter reason")
                    .isEqualTo(MISSING_FIELD);
            assertThat(rejected.violations().subList(0, 2)).extracting(Violation::reason)
                    .containsOnly(MISSING_FIELD);
            assertThat(rejected).hasMessageContaining("subject").hasMessageContaining("data.date_start");
        }
    }

    /**
     * Values of the right type that no real call has, or that Slack's Calls API would refuse: they
     * are rejected here, naming the field and why, rather than dead-lettered later by the dispatcher.
     * The decoding clock stands at the fixtures' {@code time}.
     */
    @Nested
    class OutOfRangeValues {

        private final CloudEventCodec decodedAtStart =
                new CloudEventCodec(CloudEventCodec.DEFAULT_MAX_RECORD_BYTES, Clock.fixed(STARTED_AT, ZoneOffset.UTC));

        private byte[] callStarted(String extraData) {
            return bytes(structuredEvent("call.started",
                    "{\"join_url\": \"https://pbx.example.com/join/6f1c2a90\", " + extraData + "}"));
        }

        private List<Violation> violationsOf(byte[] value) {
            return rejection(() -> decodedAtStart.decode(value, Map.of())).violations();
        }

        @Test
        void aDateStartInMillisecondsIsRefusedAsSuch() {
            assertThat(violationsOf(callStarted("\"date_start\": 1733000000000")))
                    .extracting(Violation::reason, Violation::toString)
                    .containsExactly(tuple(INVALID_FIELD,
                            "data.date_start: 1733000000000 looks like milliseconds; expected Unix seconds"));
        }

        @Test
        void aDateStartBeyondSlacks32BitSecondsIsInvalid() {
            List<Violation> violations = violationsOf(callStarted("\"date_start\": 9000000000000"));

            assertThat(violations).extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.date_start", INVALID_FIELD));
            assertThat(violations.get(0).message()).contains("2038-01-19T03:14:07Z");
        }

        @Test
        void aDateStartMoreThanAnHourAfterTheEventsTimeIsInvalid() {
            List<Violation> violations =
                    violationsOf(callStarted("\"date_start\": " + (STARTED_AT_SECONDS + 3601)));

            assertThat(violations).extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.date_start", INVALID_FIELD));
            assertThat(violations.get(0).message()).contains("after the event's time", STARTED_AT.toString());
        }

        @Test
        void aDateStartUpToAnHourAfterTheEventsTimeIsTakenAsClockSkew() {
            CallEvent event = decodedAtStart.decode(callStarted("\"date_start\": " + (STARTED_AT_SECONDS + 3600)), Map.of());

            assertThat(((CallEventData.Started) event.data()).dateStart()).isEqualTo(STARTED_AT_SECONDS + 3600);
        }

        @Test
        void aDurationBeyondSlacks32BitSecondsIsInvalid() {
            List<Violation> violations =
                    violationsOf(bytes(structuredEvent("call.ended", "{\"duration\": 2147483648}")));

            assertThat(violations).extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.duration", INVALID_FIELD));
            assertThat(violations.get(0).message()).contains("2147483647");
        }

        @Test
        void theLongestDurationSlackTakesIsAccepted() {
            CallEvent event = decodedAtStart.decode(
                    bytes(structuredEvent("call.ended", "{\"duration\": 2147483647}")), Map.of());

            assertThat(event.data()).isEqualTo(new CallEventData.Ended(2_147_483_647L, null));
        }

        @Test
        void aTimeMoreThanADayAheadOfTheDecodingClockIsInvalid() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.put("time", STARTED_AT.plus(Duration.ofDays(1)).plusSeconds(1).toString());

            List<Violation> violations = violationsOf(bytes(event));

            assertThat(violations).extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("time", INVALID_FIELD));
            assertThat(violations.get(0).message()).contains("2026-02-01T09:30:01Z", "ahead");
        }

        @Test
        void aTimeUpToADayAheadOfTheDecodingClockIsAccepted() {
            ObjectNode event = structuredEvent("call.ended", "{}");
            event.put("time", STARTED_AT.plus(Duration.ofDays(1)).toString());

            assertThat(decodedAtStart.decode(bytes(event), Map.of()).time()).isEqualTo(STARTED_AT.plus(Duration.ofDays(1)));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1970-01-01T00:30:00+01:00"})
        void aTimeBefore1970IsInvalid(String time) {
            Map<String, String> headers = binaryHeaders("call.ended");
            headers.put("ce_time", time);

            assertThat(rejection(() -> decodedAtStart.decode(utf8("{}"), headers)).violations())
                    .extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("time", INVALID_FIELD));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"sip:support@pbx.example.com", "pbxapp://join/6f1c2a90", "https:///join/6f1c2a90",
                "https:join/6f1c2a90"})
        void aJoinUrlMustBeAWebAddressWithAHost(String joinUrl) {
            byte[] started = bytes(structuredEvent("call.started", "{\"join_url\": \"" + joinUrl + "\"}"));
            byte[] updated = bytes(structuredEvent("call.updated", "{\"join_url\": \"" + joinUrl + "\"}"));

            assertThat(violationsOf(started)).extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.join_url", INVALID_FIELD));
            assertThat(violationsOf(updated)).extracting(Violation::field, Violation::reason)
                    .containsExactly(tuple("data.join_url", INVALID_FIELD));
        }

        @Test
        void aJoinUrlMayUseHttpInAnyCase() {
            byte[] value = bytes(structuredEvent("call.started", "{\"join_url\": \"HTTP://pbx.example.com/j/1\"}"));

            assertThat(((CallEventData.Started) decodedAtStart.decode(value, Map.of()).data()).joinUrl())
                    .isEqualTo("HTTP://pbx.example.com/j/1");
        }
    }

    private List<Violation> violationsOf(byte[] value, Map<String, String> headers) {
        return rejection(() -> codec.decode(value, headers)).violations();
    }

    private static InvalidEventException rejection(ThrowingCallable decoding) {
        InvalidEventException rejected = catchThrowableOfType(InvalidEventException.class, decoding);
        assertThat(rejected).as("decoding should reject the record").isNotNull();
        return rejected;
    }
}
