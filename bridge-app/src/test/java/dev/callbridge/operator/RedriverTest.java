package dev.callbridge.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.topics.Topics;
import dev.callbridge.model.deadletter.DeadLetterHeaders;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
    private final Redriver redriver = new Redriver(Map.of(), topics);

    private ConsumerRecord<byte[], byte[]> deadLetter(String dlt, String from, String key, byte[] value,
            Map<String, String> extraHeaders) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", utf8("evt-1"));
        headers.add(DeadLetterHeaders.REASON, utf8("oversize"));
        headers.add(DeadLetterHeaders.TOPIC, utf8(from));
        headers.add(DeadLetterHeaders.PARTITION, utf8("2"));
        headers.add(DeadLetterHeaders.OFFSET, utf8("40"));
        extraHeaders.forEach((name, text) -> headers.add(name, utf8(text)));
        return new ConsumerRecord<>(dlt, 1, 7, 1_000L, TimestampType.CREATE_TIME, -1, -1,
                utf8(key), value, headers, Optional.empty());
    }

    @Test
    void anEventGoesBackToTheInputWithItsHeadersLessTheDeadLetterOnes() {
        ProducerRecord<byte[], byte[]> out = redriver.redriven(Redriver.Source.EVENTS, deadLetter(
                "p.telephony.call-events.dlt", "p.telephony.call-events", "call-1", utf8("{}"), Map.of()));

        assertThat(out.topic()).isEqualTo("p.telephony.call-events");
        assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo("call-1");
        assertThat(headerNames(out)).containsExactly("ce_id", Redriver.REDRIVE_FROM);
        assertThat(text(out.headers().lastHeader(Redriver.REDRIVE_FROM))).isEqualTo("p.telephony.call-events.dlt/1/7");
    }

    @Test
    void anEventDeadLetteredAfterReKeyingGoesToTheInputNotTheInternalTopic() {
        ProducerRecord<byte[], byte[]> out = redriver.redriven(Redriver.Source.EVENTS, deadLetter(
                "p.telephony.call-events.dlt", "call-bridge-events-by-subject-repartition", "pbx-key", utf8("{}"),
                Map.of()));

        assertThat(out.topic()).isEqualTo("p.telephony.call-events");
    }

    @Test
    void anEventFromElsewhereOrWithoutItsOriginIsNotRedriven() {
        assertThat(redriver.redriven(Redriver.Source.EVENTS, deadLetter("p.telephony.call-events.dlt",
                "someone.elses.topic", "k", utf8("{}"), Map.of()))).isNull();
    }

    @Test
    void aDeadLetterThatCouldNotKeepItsOriginalIsNotRedriven() {
        assertThat(redriver.redriven(Redriver.Source.EVENTS, deadLetter("p.telephony.call-events.dlt",
                "p.telephony.call-events", "call-1", null, Map.of(DeadLetterHeaders.ORIGINAL_DROPPED, "1048400"))))
                .isNull();
    }

    @Test
    void anOperationGoesToTheReconcilerAsARedrivenResultNotToSlack() {
        CallOp op = new CallOp.AddParticipants(CallOp.opId("call-1", 3, SlackMethod.CALLS_PARTICIPANTS_ADD),
                "call-1", null, "R1", List.of(Participant.slackUser("U0A")));
        byte[] value = topics.callOps().valueSerde().serializer().serialize("t", op);

        ProducerRecord<byte[], byte[]> out = redriver.redriven(Redriver.Source.OPS, deadLetter(
                "p.slack.call-ops.dlt", "p.slack.call-ops.retry-30s", "call-1", value, Map.of()));

        assertThat(out.topic()).isEqualTo("p.slack.call-results");
        OpResult result = topics.callResults().valueSerde().deserializer().deserialize("t", out.value());
        assertThat(result).isEqualTo(OpResult.Redriven.of(op, "p.slack.call-ops.dlt/1/7"));
    }

    @Test
    void anUnreadableResultGoesBackToTheResultsTopicAndAnUnreadableOperationIsSkipped() {
        ProducerRecord<byte[], byte[]> result = redriver.redriven(Redriver.Source.OPS, deadLetter(
                "p.slack.call-ops.dlt", "p.slack.call-results", "call-1", utf8("{\"outcome\":\"?\"}"), Map.of()));
        assertThat(result.topic()).isEqualTo("p.slack.call-results");

        assertThat(redriver.redriven(Redriver.Source.OPS, deadLetter("p.slack.call-ops.dlt", "p.slack.call-ops",
                "call-1", utf8("not json"), Map.of()))).isNull();
    }

    @Test
    void theTimeOfDeadLetteringIsItsHeaderElseTheRecordTimestamp() {
        assertThat(Redriver.deadLetteredAt(deadLetter("d", "t", "k", utf8("{}"),
                Map.of(DeadLetterHeaders.AT, "2026-11-22T08:00:00Z")))).isEqualTo(Instant.parse("2026-11-22T08:00:00Z"));
        assertThat(Redriver.deadLetteredAt(deadLetter("d", "t", "k", utf8("{}"), Map.of())))
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
