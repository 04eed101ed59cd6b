package dev.callbridge.dispatch;

import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.topics.RetryTier;
import dev.callbridge.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The records the dispatcher writes: results for the reconciler (keyed, and so partitioned, by the
 * call), parked operations (on their workspace's partition) and dead letters.
 */
final class OpRecords {

    /** Operations are small; a dead letter of one never comes near Kafka's default record limit. */
    private static final int MAX_DEAD_LETTER_BYTES = 1_000_000;
    /** How far back a result's timestamp may go: results of older operations are stamped this long ago. */
    static final Duration RESULT_TIMESTAMP_FLOOR = Duration.ofHours(1);

    private final Topics topics;
    private final Clock clock;
    private final OpPartitions partitions;
    private final JsonSerde<OpResult> results = new JsonSerde<>(OpResult.class);

    OpRecords(Topics topics, Clock clock, OpPartitions partitions) {
        this.topics = topics;
        this.clock = clock;
        this.partitions = partitions;
    }

    /**
     * The result of the operation {@code work} carries. Its timestamp is the operation's, which is its
     * event's, so that the reconciler reads it among the events of that time instead of after every
     * event waiting behind them (Kafka Streams takes a task's next record from the partition whose
     * head is oldest); never older than {@link #RESULT_TIMESTAMP_FLOOR}, well inside any retention of
     * the results topic. When it was written goes in {@link OpResult#WRITTEN_AT_HEADER}.
     */
    ProducerRecord<byte[], byte[]> result(Work work, OpResult result) {
        long now = clock.millis();
        long timestamp = Math.max(work.record().timestamp(), now - RESULT_TIMESTAMP_FLOOR.toMillis());
        Headers headers = new RecordHeaders();
        headers.add(OpResult.WRITTEN_AT_HEADER, Long.toString(now).getBytes(StandardCharsets.US_ASCII));
        return new ProducerRecord<>(topics.callResults().name(), null, Math.min(timestamp, now),
                result.externalUniqueId().getBytes(StandardCharsets.UTF_8), results.toBytes(result), headers);
    }

    /**
     * The operation again, in the retry tier that hands it back by {@code due}, on its workspace's
     * partition there (while the tier's partition count is unknown, on the one its key hashes to).
     *
     * @param reservation the rate limiter whose slot starting at {@code due} it holds, or {@code null}
     * @param reported whether an interim result goes with it, which renews the reconciler's word on it
     * @param uncertain whether the attempt made may have reached Slack without an answer
     */
    ProducerRecord<byte[], byte[]> park(Work work, Instant due, Attempts attempts, String reservation, boolean reported,
            boolean uncertain) {
        ConsumerRecord<byte[], byte[]> record = work.record();
        Instant now = clock.instant();
        RetryTier tier = topics.parkingTierFor(Duration.between(now, due));
        Instant release = now.plus(tier.delay()).isBefore(due) ? now.plus(tier.delay()) : due;
        Headers headers = new RecordHeaders();
        record.headers().forEach(header -> {
            if (!header.key().startsWith(DispatchHeaders.PREFIX)) {
                headers.add(header);
            }
        });
        DispatchHeaders.put(headers, DispatchHeaders.DUE_AT, due.toEpochMilli());
        DispatchHeaders.put(headers, DispatchHeaders.RELEASE_AT, release.toEpochMilli());
        DispatchHeaders.put(headers, DispatchHeaders.ATTEMPT, attempts.attempt());
        DispatchHeaders.put(headers, DispatchHeaders.RATE_LIMITED, attempts.rateLimited());
        if (reservation != null) {
            DispatchHeaders.put(headers, DispatchHeaders.RESERVED, reservation);
        }
        if (uncertain || work.uncertain()) {
            DispatchHeaders.put(headers, DispatchHeaders.UNCERTAIN, "true");
        }
        String lastReported = DispatchHeaders.text(record.headers(), DispatchHeaders.REPORTED_AT);
        if (reported) {
            DispatchHeaders.put(headers, DispatchHeaders.REPORTED_AT, now.toEpochMilli());
        } else if (lastReported != null) {
            DispatchHeaders.put(headers, DispatchHeaders.REPORTED_AT, lastReported);
        }
        // The original timestamp stays, so event-to-Slack latency includes the time spent waiting.
        return new ProducerRecord<>(tier.topic(), partitions.of(tier.topic(), work.op()), record.timestamp(),
                record.key(), record.value(), headers);
    }

    /** A dead letter of the consumed operation; {@code op} is {@code null} when it could not be read. */
    ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason, String detail,
            CallOp op, int attempts) {
        DeadLetter.Operation operation = op == null ? null : new DeadLetter.Operation(op.method().apiName(), attempts);
        return DeadLetter.of(reason, detail, DeadLetter.Origin.of(record), operation, clock)
                .write(topics.callOpsDeadLetters().name(), DeadLetter.Original.of(record), DispatchHeaders.PREFIX,
                        MAX_DEAD_LETTER_BYTES)
                .record();
    }
}
