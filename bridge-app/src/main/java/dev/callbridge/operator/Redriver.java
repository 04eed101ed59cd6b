package dev.callbridge.operator;

import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends dead letters back where they came from ({@code bridge redrive}).
 *
 * <p>An event goes back to the input topic it was read from — the input topic itself when it was
 * dead-lettered after re-keying — with its key, value and headers, less the {@code dlt.*} ones. A
 * dead-lettered operation is not sent to Slack as it was: it could overtake the call's operation in
 * flight, and its answer would match no operation the reconciler waits for. It goes to the
 * reconciler instead, as a {@link OpResult.Redriven} record, which undoes what the failure settled so
 * the next operation is planned afresh. An unreadable result goes back to {@code slack.call-results}.
 * Everything selected is written in one transaction, or nothing is.
 */
public final class Redriver {

    /** The header naming where a redriven record was dead-lettered: {@code <topic>/<partition>/<offset>}. */
    public static final String REDRIVE_FROM = "redrive.from";

    /** Which dead-letter topic to redrive. */
    public enum Source { EVENTS, OPS }

    /**
     * Which dead letters to redrive: all when empty.
     *
     * @param calls record keys (call ids) to redrive; empty for every call
     * @param since the earliest dead-letter time ({@code dlt.at}, else the record timestamp), inclusive;
     *     {@code null} for no bound
     * @param until the latest dead-letter time, exclusive; {@code null} for no bound
     */
    public record Selection(Set<String> calls, Instant since, Instant until) {

        public Selection {
            calls = Set.copyOf(calls);
        }

        public static Selection all() {
            return new Selection(Set.of(), null, null);
        }

        boolean matches(String key, Instant timestamp) {
            return (calls.isEmpty() || (key != null && calls.contains(key)))
                    && (since == null || !timestamp.isBefore(since))
                    && (until == null || timestamp.isBefore(until));
        }
    }

    /**
     * One dead letter and what the redrive does with it.
     *
     * @param target the topic it is (or would be) written to; {@code null} when it is skipped
     * @param note why it was dead-lettered, or why it is skipped
     */
    public record Item(String deadLetter, String key, Instant timestamp, String target, String note) {

        public boolean skipped() {
            return target == null;
        }
    }

    private final Map<String, Object> clientProperties;
    private final Topics topics;

    public Redriver(Map<String, Object> clientProperties, Topics topics) {
        this.clientProperties = Map.copyOf(clientProperties);
        this.topics = topics;
    }

    /** Reads the dead-letter topic to its current end and redrives what {@code selection} picks. */
    public List<Item> redrive(Source source, Selection selection, boolean dryRun) {
        String topic = source == Source.EVENTS ? topics.callEventsDeadLetters().name() : topics.callOpsDeadLetters().name();
        List<Item> items = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (TopicReader reader = new TopicReader(clientProperties)) {
            reader.readToEnd(reader.partitions(topic), record -> {
                Decision decision = decide(source, selection, record);
                if (decision != null) {
                    items.add(decision.item());
                    if (decision.redriven() != null) {
                        out.add(decision.redriven());
                    }
                }
            });
        }
        if (!dryRun && !out.isEmpty()) {
            send(out);
        }
        return items;
    }

    /** What the redrive does with one dead letter: its line in the listing, and the record to write unless skipped. */
    record Decision(Item item, ProducerRecord<byte[], byte[]> redriven) {}

    /** The decision for one dead letter, or {@code null} when {@code selection} leaves it out. */
    Decision decide(Source source, Selection selection, ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        DeadLetter.Reading reading = DeadLetter.from(record.headers());
        Instant timestamp = deadLetteredAt(reading, record.timestamp());
        if (!selection.matches(key, timestamp)) {
            return null;
        }
        String at = where(record);
        if (!(reading instanceof DeadLetter.Reading.Valid valid)) {
            return new Decision(new Item(at, key, timestamp, null, "skipped: " + unreadable(reading)), null);
        }
        ProducerRecord<byte[], byte[]> redriven = redriven(source, record, valid.deadLetter());
        String note = redriven == null ? "skipped: " + skipReason(source, valid.deadLetter()) : valid.deadLetter().reason();
        return new Decision(new Item(at, key, timestamp, redriven == null ? null : redriven.topic(), note), redriven);
    }

    /** What one dead letter becomes: the record to write, or {@code null} when it cannot be redriven. */
    ProducerRecord<byte[], byte[]> redriven(Source source, ConsumerRecord<byte[], byte[]> record,
            DeadLetter deadLetter) {
        if (deadLetter.originalDropped()) {
            return null;
        }
        String at = where(record);
        return source == Source.EVENTS ? event(record, deadLetter, at) : operation(record, deadLetter, at);
    }

    private static String where(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    /**
     * When the record was dead-lettered: its {@code dlt.at} header, else (older dead letters, and those
     * whose headers cannot be read) its timestamp.
     */
    static Instant deadLetteredAt(DeadLetter.Reading reading, long recordTimestamp) {
        return reading instanceof DeadLetter.Reading.Valid valid && valid.deadLetter().at() != null
                ? valid.deadLetter().at()
                : Instant.ofEpochMilli(recordTimestamp);
    }

    private ProducerRecord<byte[], byte[]> event(ConsumerRecord<byte[], byte[]> record, DeadLetter deadLetter,
            String at) {
        String from = deadLetter.origin().topic();
        // Dead-lettered after re-keying: the internal repartition topic is the app's own; go back to the input.
        String target = from.equals(topics.callEvents().name()) || from.endsWith("-repartition")
                ? topics.callEvents().name()
                : null;
        return target == null ? null : copy(target, record, at);
    }

    private ProducerRecord<byte[], byte[]> operation(ConsumerRecord<byte[], byte[]> record, DeadLetter deadLetter,
            String at) {
        if (topics.callResults().name().equals(deadLetter.origin().topic())) {
            return copy(topics.callResults().name(), record, at);
        }
        CallOp op;
        try {
            op = topics.callOps().valueSerde().deserializer().deserialize(topics.callOps().name(), record.value());
        } catch (RuntimeException e) {
            return null;
        }
        if (op == null) {
            return null;
        }
        byte[] key = topics.callResults().keySerde().serializer().serialize(topics.callResults().name(),
                op.externalUniqueId());
        byte[] value = topics.callResults().valueSerde().serializer().serialize(topics.callResults().name(),
                OpResult.Redriven.of(op, at));
        Headers headers = new RecordHeaders();
        headers.add(REDRIVE_FROM, at.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topics.callResults().name(), null, key, value, headers);
    }

    private static String unreadable(DeadLetter.Reading reading) {
        return reading instanceof DeadLetter.Reading.Malformed malformed
                ? "unreadable dead-letter headers: " + String.join("; ", malformed.problems())
                : "not a dead letter: it has no dlt.* header";
    }

    private String skipReason(Source source, DeadLetter deadLetter) {
        DeadLetter.Origin origin = deadLetter.origin();
        String from = origin.topic();
        if (deadLetter.originalDropped()) {
            return "the original (" + deadLetter.droppedBytes() + " bytes) was too large to keep; it was read from "
                    + from + "/" + origin.partition() + "/" + origin.offset();
        }
        return source == Source.EVENTS
                ? "came from " + from + ", not an input topic of this bridge"
                : "not a readable operation (from " + from + ")";
    }

    private static ProducerRecord<byte[], byte[]> copy(String target, ConsumerRecord<byte[], byte[]> record, String at) {
        Headers headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!DeadLetter.owns(header.key()) && !header.key().equals(REDRIVE_FROM)) {
                headers.add(header);
            }
        }
        headers.add(REDRIVE_FROM, at.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(target, null, record.key(), record.value(), headers);
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records) {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "call-bridge-redrive-" + UUID.randomUUID());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            try {
                records.forEach(producer::send);
                producer.commitTransaction();
            } catch (RuntimeException e) {
                producer.abortTransaction();
                throw e;
            }
        }
    }
}
