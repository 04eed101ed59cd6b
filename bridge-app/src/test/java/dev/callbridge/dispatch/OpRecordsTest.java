package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.topics.Topics;
import dev.callbridge.topics.WorkspacePartitioner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class OpRecordsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final CallOp ADD = new CallOp.AddCall("c1:k:1:calls.add", "c1", "T1", "https://j/1", null, null,
            "Title", null, 1_700_000_000L, List.of());

    private final OpPartitions partitions = new OpPartitions(new WorkspacePartitioner("T0DEFAULT"));
    private final OpRecords records = new OpRecords(BridgeConfig.defaults().topics(), Clock.fixed(NOW, ZoneOffset.UTC),
            partitions);

    private static ConsumerRecord<byte[], byte[]> consumed() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(CallOp.ISSUED_AT_HEADER, "1000".getBytes(StandardCharsets.UTF_8));
        headers.add(DispatchHeaders.ATTEMPT, "3".getBytes(StandardCharsets.UTF_8));
        headers.add(DispatchHeaders.RESERVED, "old-limiter".getBytes(StandardCharsets.UTF_8));
        headers.add("dlt.reason", "an earlier one".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("slack.call-ops.retry-5s", 2, 40L, 123L, TimestampType.CREATE_TIME, 2, 2,
                "c1".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8), headers,
                java.util.Optional.empty());
    }

    @Test
    void aDeadLetterKeepsTheOperationsOwnHeadersAndNamesWhyAndWhereFrom() {
        ProducerRecord<byte[], byte[]> dead = records.deadLetter(consumed(), "invalid_auth", "Slack refused calls.add: invalid_auth",
                ADD, 3);

        assertThat(dead.topic()).isEqualTo(Topics.CALL_OPS_DLT);
        assertThat(dead.timestamp()).as("the operation's own time").isEqualTo(123L);
        assertThat(header(dead, CallOp.ISSUED_AT_HEADER)).isEqualTo("1000");
        assertThat(dead.headers().lastHeader(DispatchHeaders.ATTEMPT)).as("bookkeeping dropped").isNull();
        assertThat(dead.headers().lastHeader(DispatchHeaders.RESERVED)).isNull();
        assertThat(dead.headers().headers("dlt.reason")).as("the earlier dead letter's replaced").hasSize(1);
        assertThat(DeadLetter.from(dead.headers()).orElseThrow()).isEqualTo(new DeadLetter("invalid_auth",
                "Slack refused calls.add: invalid_auth", new DeadLetter.Origin("slack.call-ops.retry-5s", 2, 40), NOW,
                new DeadLetter.Operation("calls.add", 3), null));
    }

    @Test
    void aParkedOperationCarriesItsSlotsLimiterAndWhetherItsOutcomeIsUncertain() {
        Work work = new Work(consumed(), new TopicPartition("slack.call-ops.retry-5s", 2),
                new Lease(new RateLimiter(Map.of(), new Budget(60, 1))), ADD,
                new Attempts(3, 1), null, false, null, false, true, false);

        ProducerRecord<byte[], byte[]> parked = records.park(work, NOW.plusSeconds(3), new Attempts(4, 1), "this-limiter",
                false, true);

        assertThat(parked.topic()).isEqualTo("slack.call-ops.retry-5s");
        assertThat(header(parked, DispatchHeaders.RESERVED)).isEqualTo("this-limiter");
        assertThat(header(parked, DispatchHeaders.UNCERTAIN)).isEqualTo("true");
        assertThat(header(parked, DispatchHeaders.ATTEMPT)).isEqualTo("4");
        assertThat(header(parked, DispatchHeaders.DUE_AT)).isEqualTo(Long.toString(NOW.plusSeconds(3).toEpochMilli()));
        assertThat(parked.headers().headers(DispatchHeaders.ATTEMPT)).hasSize(1);

        ProducerRecord<byte[], byte[]> certain = records.park(work, NOW.plus(Duration.ofMinutes(2)), new Attempts(4, 1),
                null, false, false);
        assertThat(certain.headers().lastHeader(DispatchHeaders.RESERVED)).isNull();
        assertThat(certain.headers().lastHeader(DispatchHeaders.UNCERTAIN)).isNull();
        assertThat(certain.topic()).isEqualTo("slack.call-ops.retry-30s");
    }

    @Test
    void aParkedOperationGoesToItsWorkspacesPartitionOfTheTierAndAResultToItsCalls() {
        Work work = new Work(consumed(), new TopicPartition("slack.call-ops.retry-5s", 2),
                new Lease(new RateLimiter(Map.of(), new Budget(60, 1))), ADD, new Attempts(3, 1), null, false, null,
                false, false, false);
        assertThat(records.park(work, NOW.plusSeconds(40), new Attempts(4, 1), null, false, false).partition())
                .as("the tier's partition count not known yet: the producer's choice").isNull();

        partitions.count("slack.call-ops.retry-30s", 6);
        ProducerRecord<byte[], byte[]> parked = records.park(work, NOW.plusSeconds(40), new Attempts(4, 1), null, false,
                false);

        assertThat(parked.topic()).isEqualTo("slack.call-ops.retry-30s");
        assertThat(parked.partition()).isEqualTo(new WorkspacePartitioner(null).partition("T1", 6));
        assertThat(new String(parked.key(), StandardCharsets.UTF_8)).as("still keyed by the call").isEqualTo("c1");
        assertThat(records.result(work, new OpResult.Succeeded(ADD.opId(), "c1", ADD.method(), 1, "R1", null, null, null))
                .partition()).as("results go where the call's key hashes to").isNull();
    }

    @Test
    void aResultIsStampedWithItsOperationsTimeNoOlderThanAnHourAndSaysWhenItWasWritten() {
        OpResult added = new OpResult.Succeeded(ADD.opId(), "c1", ADD.method(), 1, "R1", null, null, null);
        long eventTime = NOW.minusSeconds(90).toEpochMilli();

        ProducerRecord<byte[], byte[]> result = records.result(workStamped(eventTime), added);
        assertThat(result.timestamp()).as("sorted among the events of its time").isEqualTo(eventTime);
        assertThat(header(result, OpResult.WRITTEN_AT_HEADER)).isEqualTo(Long.toString(NOW.toEpochMilli()));

        long dayOld = NOW.minus(Duration.ofDays(1)).toEpochMilli();
        assertThat(records.result(workStamped(dayOld), added).timestamp()).as("within any retention")
                .isEqualTo(NOW.minus(OpRecords.RESULT_TIMESTAMP_FLOOR).toEpochMilli());
        long ahead = NOW.plusSeconds(30).toEpochMilli();
        assertThat(records.result(workStamped(ahead), added).timestamp()).as("never ahead of the clock")
                .isEqualTo(NOW.toEpochMilli());
    }

    private static Work workStamped(long timestamp) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("slack.call-ops", 0, 7L, timestamp,
                TimestampType.CREATE_TIME, 2, 2, "c1".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8), new RecordHeaders(), java.util.Optional.empty());
        return new Work(record, new TopicPartition("slack.call-ops", 0),
                new Lease(new RateLimiter(Map.of(), new Budget(60, 1))), ADD, new Attempts(1, 0), null, false, null,
                false, false, false);
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
