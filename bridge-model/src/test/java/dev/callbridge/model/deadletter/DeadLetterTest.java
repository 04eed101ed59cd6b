package dev.callbridge.model.deadletter;

import static dev.callbridge.model.ModelFixtures.CALL_ID;
import static dev.callbridge.model.ModelFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Dead letters as the {@code dlt.*} headers carry them: written once, read back the same by everyone. */
class DeadLetterTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final DeadLetter.Origin FROM = new DeadLetter.Origin("slack.call-ops.retry-5s", 2, 40);
    private static final int ROOMY = 1_000_000;

    private static DeadLetter.Original original(byte[] value, Headers headers) {
        return new DeadLetter.Original(utf8(CALL_ID), value, headers, 123L);
    }

    @Test
    void whatIsWrittenReadsBackTheSame() {
        DeadLetter written = DeadLetter.of("invalid_auth", "Slack refused calls.add: invalid_auth", FROM,
                new DeadLetter.Operation("calls.add", 3), CLOCK);

        ProducerRecord<byte[], byte[]> record = written
                .write("slack.call-ops.dlt", original(utf8("{}"), new RecordHeaders()), null, ROOMY).record();

        assertThat(DeadLetter.from(record.headers())).isEqualTo(new DeadLetter.Reading.Valid(
                new DeadLetter("invalid_auth", "Slack refused calls.add: invalid_auth", FROM, NOW,
                        new DeadLetter.Operation("calls.add", 3), null)));
        assertThat(record.topic()).isEqualTo("slack.call-ops.dlt");
        assertThat(record.key()).isEqualTo(utf8(CALL_ID));
        assertThat(record.value()).isEqualTo(utf8("{}"));
        assertThat(record.timestamp()).as("the original's own time").isEqualTo(123L);
    }

    @Test
    void theHeadersKeepTheirWireNamesAndSpelling() {
        ProducerRecord<byte[], byte[]> record = DeadLetter.of("invalid_auth", "refused", FROM,
                new DeadLetter.Operation("calls.add", 3), CLOCK)
                .write("slack.call-ops.dlt", original(utf8("{}"), null), null, ROOMY).record();

        assertThat(Arrays.stream(record.headers().toArray()).map(h -> h.key() + "=" + text(h))).containsExactly(
                "dlt.reason=invalid_auth", "dlt.detail=refused", "dlt.topic=slack.call-ops.retry-5s",
                "dlt.partition=2", "dlt.offset=40", "dlt.at=2026-11-22T08:00:00Z", "dlt.method=calls.add",
                "dlt.attempts=3");
    }

    @Test
    void aLongDetailIsCutAndAMissingOneRepeatsTheReason() {
        assertThat(DeadLetter.of("invalid_field", "x".repeat(5000), FROM, null, CLOCK).detail())
                .hasSize(DeadLetter.MAX_DETAIL_CHARS);
        assertThat(DeadLetter.of("unparseable", null, FROM, null, CLOCK).detail()).isEqualTo("unparseable");
    }

    @Test
    void anEarlierDeadLettersHeadersAndTheWritersOwnAreReplacedTheRestKept() {
        Headers headers = new RecordHeaders()
                .add("ce_id", utf8("evt-1"))
                .add("dispatch.attempt", utf8("3"))
                .add("dlt.reason", utf8("an earlier one"))
                .add("dlt.method", utf8("calls.update"))
                .add("dlt.attempts", utf8("7"));

        ProducerRecord<byte[], byte[]> record = DeadLetter.of("invalid_auth", null, FROM, null, CLOCK)
                .write("slack.call-ops.dlt", original(utf8("{}"), headers), "dispatch.", ROOMY).record();

        assertThat(record.headers().lastHeader("ce_id")).isNotNull();
        assertThat(record.headers().lastHeader("dispatch.attempt")).isNull();
        assertThat(record.headers().headers("dlt.reason")).hasSize(1);
        DeadLetter read = DeadLetter.from(record.headers()).orElseThrow();
        assertThat(read.reason()).isEqualTo("invalid_auth");
        assertThat(read.operation()).as("the earlier dead letter's operation is not this one's").isNull();
    }

    @Test
    void aDeadLetterOverTheTopicsLimitKeepsOnlyItsKeyAndDeadLetterHeaders() {
        byte[] value = new byte[5_000];
        Headers headers = new RecordHeaders().add("content-type", utf8("application/json"));

        DeadLetter.Written written = DeadLetter.of("oversize", null, FROM, null, CLOCK)
                .write("telephony.call-events.dlt", original(value, headers), null, 4_000);

        int dropped = 5_000 + "content-type".length() + "application/json".length();
        assertThat(written.deadLetter().droppedBytes()).isEqualTo(dropped);
        assertThat(written.record().value()).isNull();
        assertThat(written.record().key()).isEqualTo(utf8(CALL_ID));
        assertThat(written.record().timestamp()).isEqualTo(123L);
        assertThat(Arrays.stream(written.record().headers().toArray()).map(Header::key)).allMatch(DeadLetter::owns);
        assertThat(DeadLetter.from(written.record().headers()).orElseThrow()).isEqualTo(written.deadLetter());
        assertThat(written.deadLetter().originalDropped()).isTrue();
    }

    @Test
    void aShrunkDeadLetterDropsAKeyTooLongToKeep() {
        DeadLetter.Original longKey = new DeadLetter.Original(new byte[DeadLetter.MAX_KEPT_KEY_BYTES + 1],
                new byte[5_000], null, 123L);

        ProducerRecord<byte[], byte[]> record = DeadLetter.of("oversize", null, FROM, null, CLOCK)
                .write("telephony.call-events.dlt", longKey, null, 4_000).record();

        assertThat(record.key()).isNull();
    }

    @Test
    void aDeadLetterThatFitsIsKeptWhole() {
        DeadLetter.Written written = DeadLetter.of("oversize", null, FROM, null, CLOCK)
                .write("telephony.call-events.dlt", original(new byte[3_000], null), null, 4_000);

        assertThat(written.record().value()).hasSize(3_000);
        assertThat(written.deadLetter().originalDropped()).isFalse();
        assertThat(written.record().headers().lastHeader("dlt.original-dropped")).isNull();
    }

    @Test
    void aRecordWithoutDeadLetterHeadersIsNotADeadLetter() {
        DeadLetter.Reading reading = DeadLetter.from(new RecordHeaders().add("ce_id", utf8("evt-1")));

        assertThat(reading).isInstanceOf(DeadLetter.Reading.Absent.class);
        assertThatThrownBy(reading::orElseThrow).hasMessageContaining("not a dead letter");
    }

    @Test
    void aDeadLetterFromBeforeTheBridgeStampedThemReadsWithoutItsTime() {
        DeadLetter read = DeadLetter.from(oldDeadLetter()).orElseThrow();

        assertThat(read.at()).isNull();
        assertThat(read.origin()).isEqualTo(new DeadLetter.Origin("telephony.call-events", 0, 17));
        assertThat(read.operation()).isNull();
        assertThat(read.originalDropped()).isFalse();
    }

    @Test
    void unreadableValuesAndMissingHeadersAreNamedNotThrown() {
        Headers headers = oldDeadLetter();
        headers.remove("dlt.topic");
        headers.remove("dlt.partition");
        headers.add("dlt.partition", utf8("two"));
        headers.add("dlt.at", utf8("yesterday"));
        headers.add("dlt.method", utf8("calls.add"));
        headers.add("dlt.original-dropped", utf8("-5"));
        headers.add("dlt.offset", null);

        DeadLetter.Reading reading = DeadLetter.from(headers);

        assertThat(reading).isInstanceOfSatisfying(DeadLetter.Reading.Malformed.class, malformed ->
                assertThat(malformed.problems()).containsExactlyInAnyOrder(
                        "no dlt.topic header",
                        "dlt.partition is not a whole number from 0 to 2147483647: 'two'",
                        "dlt.offset has no value",
                        "dlt.at is not an ISO-8601 instant: 'yesterday'",
                        "dlt.method and dlt.attempts come together, but only one is there",
                        "dlt.original-dropped is not a whole number from 0 to 2147483647: '-5'"));
        assertThatThrownBy(reading::orElseThrow).hasMessageContaining("no dlt.topic header");
    }

    /** As the bridge wrote them before {@code dlt.at}: reason, detail and where the record was read. */
    private static Headers oldDeadLetter() {
        return new RecordHeaders(List.of(
                header("ce_id", "evt-1"),
                header("dlt.reason", "missing_field"),
                header("dlt.detail", "subject: is required"),
                header("dlt.topic", "telephony.call-events"),
                header("dlt.partition", "0"),
                header("dlt.offset", "17")).toArray(Header[]::new));
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, utf8(value));
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
