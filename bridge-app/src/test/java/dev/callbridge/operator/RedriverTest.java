package dev.callbridge.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Where each kind of dead letter goes back to, without a broker: the mapping {@link Redriver} writes. */
class RedriverTest {

    private final Topics topics = Topics.withPrefix("p.", 4096);
    private static final Instant DEAD_LETTERED = Instant.parse("2026-11-22T08:00:00Z");
    private static final int ROOMY = 1_000_000;

    private final Redriver redriver = new Redriver(Map.of(), topics);

    /** A dead letter as the bridge writes it, of a record read from {@code from}, as read back at {@code dlt}/1/7. */
    private static ConsumerRecord<byte[], byte[]> deadLetter(String dlt, String from, String key, byte[] value,
            int maxBytes) {
        ProducerRecord<byte[], byte[]> written = DeadLetter.of("oversize", null, new DeadLetter.Origin(from, 2, 40),
                        null, Clock.fixed(DEAD_LETTERED, ZoneOffset.UTC))
                .write(dlt, new DeadLetter.Original(utf8(key), value,
                        new RecordHeaders().add("ce_id", utf8("evt-1")), 1_000L), null, maxBytes)
                .record();
        return new ConsumerRecord<>(dlt, 1, 7, written.timestamp(), TimestampType.CREATE_TIME, -1, -1,
                written.key(), written.value(), written.headers(), Optional.empty());
    }

    private ProducerRecord<byte[], byte[]> redriven(Redriver.Source source, ConsumerRecord<byte[], byte[]> record) {
        return redriver.redriven(source, record, DeadLetter.from(record.headers()).orElseThrow());
    }

    @Test
    void aSelectedDeadLetterIsListedWithItsReasonAndWritten() {
        Redriver.Decision decision = redriver.decide(Redriver.Source.EVENTS, Redriver.Selection.all(), deadLetter(
                "p.telephony.call-events.dlt", "p.telephony.call-events", "call-1", utf8("{}"), ROOMY));

        assertThat(decision.item().skipped()).isFalse();
        assertThat(decision.item().note()).isEqualTo("oversize");
        assertThat(decision.item().timestamp()).isEqualTo(DEAD_LETTERED);
        assertThat(decision.redriven().topic()).isEqualTo("p.telephony.call-events");
    }

    @Test
    void aRecordWithUnreadableDeadLetterHeadersIsListedAsSkippedWithTheProblemAndNotWritten() {
        ConsumerRecord<byte[], byte[]> good = deadLetter(
                "p.telephony.call-events.dlt", "p.telephony.call-events", "call-1", utf8("{}"), ROOMY);
        RecordHeaders broken = new RecordHeaders(good.headers().toArray());
        broken.remove("dlt.partition");
        broken.add("dlt.partition", utf8("two"));

        Redriver.Decision decision = redriver.decide(Redriver.Source.EVENTS, Redriver.Selection.all(), new ConsumerRecord<>(
                good.topic(), 1, 8, good.timestamp(), TimestampType.CREATE_TIME, -1, -1, good.key(), good.value(), broken,
                Optional.empty()));

        assertThat(decision.redriven()).isNull();
        assertThat(decision.item().skipped()).isTrue();
        assertThat(decision.item().note()).startsWith("skipped: unreadable dead-letter headers").contains("dlt.partition");
    }

    @Test
    void aRecordWithoutDeadLetterHeadersIsListedAsSkipped() {
        ConsumerRecord<byte[], byte[]> plain = new ConsumerRecord<>("p.slack.call-ops.dlt", 0, 3, 1_000L,
                TimestampType.CREATE_TIME, -1, -1, utf8("call-1"), utf8("{}"), new RecordHeaders(), Optional.empty());

        Redriver.Decision decision = redriver.decide(Redriver.Source.OPS, Redriver.Selection.all(), plain);

        assertThat(decision.redriven()).isNull();
        assertThat(decision.item().note()).isEqualTo("skipped: not a dead letter: it has no dlt.* header");
        assertThat(decision.item().timestamp()).isEqualTo(Instant.ofEpochMilli(1_000L));
    }

    @Test
    void aDeadLetterTheSelectionLeavesOutIsNotListed() {
        Redriver.Selection otherCall = new Redriver.Selection(java.util.Set.of("call-2"), null, null);

        assertThat(redriver.decide(Redriver.Source.EVENTS, otherCall, deadLetter(
                "p.telephony.call-events.dlt", "p.telephony.call-events", "call-1", utf8("{}"), ROOMY))).isNull();
    }

    @Test
    void anEventGoesBackToTheInputWithItsHeadersLessTheDeadLetterOnes() {
        ProducerRecord<byte[], byte[]> out = redriven(Redriver.Source.EVENTS, deadLetter(
                "p.telephony.call-events.dlt", "p.telephony.call-events", "call-1", utf8("{}"), ROOMY));

        assertThat(out.topic()).isEqualTo("p.telephony.call-events");
        assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo("call-1");
        assertThat(headerNames(out)).containsExactly("ce_id", Redriver.REDRIVE_FROM);
        assertThat(text(out.headers().lastHeader(Redriver.REDRIVE_FROM))).isEqualTo("p.telephony.call-events.dlt/1/7");
    }

    @Test
    void anEventDeadLetteredAfterReKeyingGoesToTheInputNotTheInternalTopic() {
        ProducerRecord<byte[], byte[]> out = redriven(Redriver.Source.EVENTS, deadLetter(
                "p.telephony.call-events.dlt", "call-bridge-events-by-subject-repartition", "pbx-key", utf8("{}"),
                ROOMY));

        assertThat(out.topic()).isEqualTo("p.telephony.call-events");
    }

    @Test
    void anEventFromElsewhereIsNotRedriven() {
        assertThat(redriven(Redriver.Source.EVENTS, deadLetter("p.telephony.call-events.dlt",
                "someone.elses.topic", "k", utf8("{}"), ROOMY))).isNull();
    }

    @Test
    void aDeadLetterThatCouldNotKeepItsOriginalIsNotRedriven() {
        assertThat(redriven(Redriver.Source.EVENTS, deadLetter("p.telephony.call-events.dlt",
                "p.telephony.call-events", "call-1", new byte[5_000], 4_000))).isNull();
    }

    @Test
    void anOperationGoesToTheReconcilerAsARedrivenResultNotToSlack() {
        CallOp op = new CallOp.AddParticipants(CallOp.opId("call-1", 3, SlackMethod.CALLS_PARTICIPANTS_ADD),
                "call-1", null, "R1", List.of(Participant.slackUser("U0A")));
        byte[] value = topics.callOps().valueSerde().serializer().serialize("t", op);

        ProducerRecord<byte[], byte[]> out = redriven(Redriver.Source.OPS, deadLetter(
                "p.slack.call-ops.dlt", "p.slack.call-ops.retry-30s", "call-1", value, ROOMY));

        assertThat(out.topic()).isEqualTo("p.slack.call-results");
        OpResult result = topics.callResults().valueSerde().deserializer().deserialize("t", out.value());
        assertThat(result).isEqualTo(OpResult.Redriven.of(op, "p.slack.call-ops.dlt/1/7"));
    }

    @Test
    void anUnreadableResultGoesBackToTheResultsTopicAndAnUnreadableOperationIsSkipped() {
        ProducerRecord<byte[], byte[]> result = redriven(Redriver.Source.OPS, deadLetter(
                "p.slack.call-ops.dlt", "p.slack.call-results", "call-1", utf8("{\"outcome\":\"?\"}"), ROOMY));
        assertThat(result.topic()).isEqualTo("p.slack.call-results");

        assertThat(redriven(Redriver.Source.OPS, deadLetter("p.slack.call-ops.dlt", "p.slack.call-ops",
                "call-1", utf8("not json"), ROOMY))).isNull();
    }

    @Test
    void theTimeOfDeadLetteringIsItsHeaderElseTheRecordTimestamp() {
        RecordHeaders headers = new RecordHeaders(deadLetter("d", "t", "k", utf8("{}"), ROOMY).headers().toArray());
        assertThat(Redriver.deadLetteredAt(DeadLetter.from(headers), 1_000L)).isEqualTo(DEAD_LETTERED);

        headers.remove("dlt.at");
        assertThat(Redriver.deadLetteredAt(DeadLetter.from(headers), 1_000L)).as("written before dlt.at")
                .isEqualTo(Instant.ofEpochMilli(1_000L));

        headers.add("dlt.at", utf8("yesterday"));
        assertThat(Redriver.deadLetteredAt(DeadLetter.from(headers), 1_000L)).as("unreadable")
                .isEqualTo(Instant.ofEpochMilli(1_000L));
    }

    @Test
    void aSelectionMatchesByCallAndHalfOpenTimeRange() {
        Redriver.Selection selection = new Redriver.Selection(java.util.Set.of("call-1"),
                Instant.parse("2026-11-22T08:00:00Z"), Instant.parse("2026-11-22T09:00:00Z"));

        assertThat(selection.matches("call-1", Instant.parse("2026-11-22T08:00:00Z"))).isTrue();
        assertThat(selection.matches("call-1", Instant.parse("2026-11-22T09:00:00Z"))).isFalse();
        assertThat(selection.matches("call-2", Instant.parse("2026-11-22T08:30:00Z"))).isFalse();
        assertThat(selection.matches(null, Instant.parse("2026-11-22T08:30:00Z"))).isFalse();
        assertThat(Redriver.Selection.all().matches(null, Instant.EPOCH)).isTrue();
    }

    private static List<String> headerNames(ProducerRecord<byte[], byte[]> record) {
        return java.util.Arrays.stream(record.headers().toArray()).map(Header::key).toList();
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
