package dev.callbridge.model.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Why a record was set aside and where it was read, as the {@code dlt.*} headers of its dead letter
 * say: the topology and the dispatcher write them through {@link #write}, and everything that looks
 * at a dead letter reads them back through {@link #from}.
 *
 * @param reason a short machine-readable code, such as {@code missing_field} or {@code invalid_auth}
 * @param detail a human-readable explanation naming the field or the Slack error
 * @param origin where the original record was read
 * @param at when it was dead-lettered; {@code null} on dead letters written before the bridge stamped
 *     them, whose record timestamp is the original's
 * @param operation the Slack method and the attempts made, on operations the dispatcher could read;
 *     else {@code null}
 * @param droppedBytes the size of the original value and headers, when they were too large to keep in
 *     the dead letter (which then holds only the key and these headers); {@code null} when kept
 */
public record DeadLetter(String reason, String detail, Origin origin, Instant at, Operation operation,
        Integer droppedBytes) {

    // The wire names: operators' tooling reads them, so they never change.
    private static final String PREFIX = "dlt.";
    private static final String REASON = "dlt.reason";
    private static final String DETAIL = "dlt.detail";
    private static final String TOPIC = "dlt.topic";
    private static final String PARTITION = "dlt.partition";
    private static final String OFFSET = "dlt.offset";
    private static final String AT = "dlt.at";
    private static final String METHOD = "dlt.method";
    private static final String ATTEMPTS = "dlt.attempts";
    private static final String ORIGINAL_DROPPED = "dlt.original-dropped";

    /** Longest {@link #detail} {@link #of} keeps; longer explanations are cut. */
    public static final int MAX_DETAIL_CHARS = 1000;
    /** Keys longer than this are dropped with the value when a dead letter has to shrink. */
    public static final int MAX_KEPT_KEY_BYTES = 1024;

    public DeadLetter {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(origin, "origin");
    }

    /** Where a record was read. */
    public record Origin(String topic, int partition, long offset) {

        public Origin {
            Objects.requireNonNull(topic, "topic");
        }

        public static Origin of(ConsumerRecord<?, ?> record) {
            return new Origin(record.topic(), record.partition(), record.offset());
        }
    }

    /** The Slack method of a dead-lettered operation, and how many attempts were made at it. */
    public record Operation(String method, int attempts) {

        public Operation {
            Objects.requireNonNull(method, "method");
        }
    }

    /** The record set aside, as it was read; {@code timestamp} stays the dead letter's own. */
    public record Original(byte[] key, byte[] value, Headers headers, long timestamp) {

        public static Original of(ConsumerRecord<byte[], byte[]> record) {
            return new Original(record.key(), record.value(), record.headers(), record.timestamp());
        }
    }

    /** A dead letter ready to produce, and what its headers say. */
    public record Written(DeadLetter deadLetter, ProducerRecord<byte[], byte[]> record) {}

    /**
     * A dead letter stamped now by {@code clock}.
     *
     * @param detail the explanation, cut at {@link #MAX_DETAIL_CHARS}; {@code null} to repeat the reason
     * @param operation {@code null} unless the dispatcher could read the operation
     */
    public static DeadLetter of(String reason, String detail, Origin origin, Operation operation, Clock clock) {
        String text = detail == null ? reason : detail;
        if (text.length() > MAX_DETAIL_CHARS) {
            text = text.substring(0, MAX_DETAIL_CHARS);
        }
        return new DeadLetter(reason, text, origin, clock.instant(), operation, null);
    }

    /** Whether the original value and headers were left out, being too large. */
    public boolean originalDropped() {
        return droppedBytes != null;
    }

    /** Whether a header is one of a dead letter's own, which a record sent back on must not carry. */
    public static boolean owns(String header) {
        return header.startsWith(PREFIX);
    }

    /**
     * The dead letter of {@code original} for {@code topic}: the original key, value and headers (less
     * the {@code dlt.*} of an earlier dead letter and those starting with {@code ownedPrefix}), then
     * these headers, at the original's timestamp. When that is more than {@code maxBytes}, only the key
     * (unless longer than {@link #MAX_KEPT_KEY_BYTES}) and these headers are kept, and
     * {@link #droppedBytes} says how much was left out.
     *
     * @param ownedPrefix the writer's own bookkeeping headers, such as the dispatcher's; {@code null} for none
     */
    public Written write(String topic, Original original, String ownedPrefix, int maxBytes) {
        Headers kept = new RecordHeaders();
        if (original.headers() != null) {
            for (Header header : original.headers()) {
                if (!owns(header.key()) && (ownedPrefix == null || !header.key().startsWith(ownedPrefix))) {
                    kept.add(header);
                }
            }
        }
        DeadLetter whole = new DeadLetter(reason, detail, origin, at, operation, null);
        Headers added = whole.headers();
        if (size(original.key(), original.value(), kept) + size(null, null, added) > maxBytes) {
            DeadLetter shrunk = new DeadLetter(reason, detail, origin, at, operation,
                    size(null, original.value(), kept));
            byte[] key = original.key() != null && original.key().length <= MAX_KEPT_KEY_BYTES ? original.key() : null;
            return new Written(shrunk,
                    new ProducerRecord<>(topic, null, original.timestamp(), key, null, shrunk.headers()));
        }
        added.forEach(kept::add);
        return new Written(whole,
                new ProducerRecord<>(topic, null, original.timestamp(), original.key(), original.value(), kept));
    }

    private Headers headers() {
        Headers headers = new RecordHeaders();
        headers.add(REASON, utf8(reason));
        headers.add(DETAIL, utf8(detail));
        headers.add(TOPIC, utf8(origin.topic()));
        headers.add(PARTITION, utf8(Integer.toString(origin.partition())));
        headers.add(OFFSET, utf8(Long.toString(origin.offset())));
        if (at != null) {
            headers.add(AT, utf8(at.toString()));
        }
        if (operation != null) {
            headers.add(METHOD, utf8(operation.method()));
            headers.add(ATTEMPTS, utf8(Integer.toString(operation.attempts())));
        }
        if (droppedBytes != null) {
            headers.add(ORIGINAL_DROPPED, utf8(Integer.toString(droppedBytes)));
        }
        return headers;
    }

    /** The bytes a record's key, value and headers take, as Kafka counts them against its limits (less framing). */
    public static int size(byte[] key, byte[] value, Headers headers) {
        int size = length(key) + length(value);
        if (headers != null) {
            for (Header header : headers) {
                size += header.key().getBytes(StandardCharsets.UTF_8).length + length(header.value());
            }
        }
        return size;
    }

    /** What a record's headers say of it as a dead letter; reading never throws. */
    public sealed interface Reading {

        /**
         * The dead letter read, for callers to whom anything else is a bug (tests, say).
         *
         * @throws IllegalStateException naming why the headers hold no readable dead letter
         */
        DeadLetter orElseThrow();

        /** The headers hold a dead letter whose every {@code dlt.*} header could be read. */
        record Valid(DeadLetter deadLetter) implements Reading {

            @Override
            public DeadLetter orElseThrow() {
                return deadLetter;
            }
        }

        /** The headers have no {@code dlt.*} header: the record is not a dead letter. */
        record Absent() implements Reading {

            @Override
            public DeadLetter orElseThrow() {
                throw new IllegalStateException("not a dead letter: no dlt.* header");
            }
        }

        /** The headers have {@code dlt.*} headers, but some are missing or cannot be read, as {@code problems} say. */
        record Malformed(List<String> problems) implements Reading {

            public Malformed {
                problems = List.copyOf(problems);
            }

            @Override
            public DeadLetter orElseThrow() {
                throw new IllegalStateException("unreadable dead letter: " + String.join("; ", problems));
            }
        }
    }

    /**
     * Reads the {@code dlt.*} headers back (the last of each, should one repeat). {@code dlt.at} may be
     * missing, as on dead letters written before the bridge stamped them; {@code dlt.method} and
     * {@code dlt.attempts} come together or not at all.
     */
    public static Reading from(Headers headers) {
        if (!hasOwnHeader(headers)) {
            return new Reading.Absent();
        }
        List<String> problems = new ArrayList<>();
        String reason = required(headers, REASON, problems);
        String detail = required(headers, DETAIL, problems);
        String topic = required(headers, TOPIC, problems);
        Long partition = count(headers, PARTITION, true, Integer.MAX_VALUE, problems);
        Long offset = count(headers, OFFSET, true, Long.MAX_VALUE, problems);
        Instant at = instant(headers, AT, problems);
        String method = text(headers, METHOD, problems);
        Long attempts = count(headers, ATTEMPTS, false, Integer.MAX_VALUE, problems);
        if ((headers.lastHeader(METHOD) == null) != (headers.lastHeader(ATTEMPTS) == null)) {
            problems.add(METHOD + " and " + ATTEMPTS + " come together, but only one is there");
        }
        Long dropped = count(headers, ORIGINAL_DROPPED, false, Integer.MAX_VALUE, problems);
        if (!problems.isEmpty()) {
            return new Reading.Malformed(problems);
        }
        return new Reading.Valid(new DeadLetter(reason, detail, new Origin(topic, partition.intValue(), offset),
                at, method == null ? null : new Operation(method, attempts.intValue()),
                dropped == null ? null : dropped.intValue()));
    }

    private static boolean hasOwnHeader(Headers headers) {
        for (Header header : headers) {
            if (owns(header.key())) {
                return true;
            }
        }
        return false;
    }

    private static String required(Headers headers, String name, List<String> problems) {
        String value = text(headers, name, problems);
        if (value == null && headers.lastHeader(name) == null) {
            problems.add("no " + name + " header");
        }
        return value;
    }

    /** A header's text; {@code null} when it is missing, or has no value (a problem). */
    private static String text(Headers headers, String name, List<String> problems) {
        Header header = headers.lastHeader(name);
        if (header == null) {
            return null;
        }
        if (header.value() == null) {
            problems.add(name + " has no value");
            return null;
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A whole number from 0 to {@code max} in decimal, as the writer spells it. */
    private static Long count(Headers headers, String name, boolean required, long max, List<String> problems) {
        String value = required ? required(headers, name, problems) : text(headers, name, problems);
        if (value == null) {
            return null;
        }
        try {
            long number = Long.parseLong(value);
            if (number >= 0 && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        problems.add(name + " is not a whole number from 0 to " + max + ": " + quoted(value));
        return null;
    }

    private static Instant instant(Headers headers, String name, List<String> problems) {
        String value = text(headers, name, problems);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(name + " is not an ISO-8601 instant: " + quoted(value));
            return null;
        }
    }

    private static String quoted(String value) {
        return "'" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'";
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
