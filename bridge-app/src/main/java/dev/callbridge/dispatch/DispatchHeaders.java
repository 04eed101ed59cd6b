package dev.callbridge.dispatch;

import dev.callbridge.model.op.CallOp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers the dispatcher puts on operations it parks in a retry topic, and reads back. They are the
 * dispatcher's own bookkeeping: a value it cannot read is ignored (with the reason, for a warning),
 * never a reason to stop reading.
 */
public final class DispatchHeaders {

    /** Every header the dispatcher owns starts with this; dead letters drop them. */
    public static final String PREFIX = "dispatch.";
    /** When the operation may be tried again (its backoff's end, or its reserved slot), epoch milliseconds. */
    public static final String DUE_AT = "dispatch.due-at";
    /**
     * When the retry topic hands the operation back, epoch milliseconds: its tier's delay after it was
     * parked, or its due time if sooner. Records without it are released at their due time.
     */
    public static final String RELEASE_AT = "dispatch.release-at";
    /** The number of the next attempt, from 1. */
    public static final String ATTEMPT = "dispatch.attempt";
    /** How many 429 answers the operation has had. */
    public static final String RATE_LIMITED = "dispatch.rate-limited";
    /**
     * Present when the operation holds a rate-limit slot starting at its due time; the value names the
     * rate limiter that handed it out. A slot is only good in the process that reserved it: after a
     * restart the buckets are new, and an old slot would be spent on top of the new bucket's.
     */
    public static final String RESERVED = "dispatch.reserved";
    /** When the dispatcher last told the reconciler about the operation (an interim result), epoch millis. */
    public static final String REPORTED_AT = "dispatch.reported-at";
    /** Present when an earlier attempt may have reached Slack though no answer came (a timeout or a 5xx). */
    public static final String UNCERTAIN = "dispatch.uncertain";

    private DispatchHeaders() {}

    /**
     * What the headers say of a parked operation.
     *
     * @param due when it may go; {@code null} when new
     * @param release when its retry partition hands it back; {@code null} when due at once
     * @param reservation the rate limiter whose slot it holds, {@code null} when none
     * @param silence when the reconciler last heard of it and how long it waits; {@code null} when unknown
     * @param problems headers that could not be read, for a warning
     */
    record Parked(Instant due, Instant release, Attempts attempts, String reservation, Silence silence,
            boolean uncertain, List<String> problems) {}

    /** The reconciler last heard of an operation at {@code lastWord} and gives up on it {@code timeout} later. */
    record Silence(Instant lastWord, Duration timeout) {}

    static Parked read(Headers headers) {
        List<String> problems = new ArrayList<>();
        Instant due = instant(headers, DUE_AT, problems);
        Instant release = instant(headers, RELEASE_AT, problems);
        Long attempt = number(headers, ATTEMPT, problems);
        Long rateLimited = number(headers, RATE_LIMITED, problems);
        Attempts attempts = new Attempts(attempt == null || attempt < 1 ? 1 : attempt.intValue(),
                rateLimited == null || rateLimited < 0 ? 0 : rateLimited.intValue());
        Long issued = number(headers, CallOp.ISSUED_AT_HEADER, problems);
        Long timeout = number(headers, CallOp.TIMEOUT_HEADER, problems);
        Long reported = number(headers, REPORTED_AT, problems);
        Silence silence = null;
        if (issued != null && timeout != null) {
            long lastWord = reported == null ? issued : Math.max(issued, reported);
            silence = new Silence(Instant.ofEpochMilli(lastWord), Duration.ofMillis(timeout));
        }
        return new Parked(due, release == null ? due : release, attempts, text(headers, RESERVED), silence,
                headers.lastHeader(UNCERTAIN) != null, List.copyOf(problems));
    }

    private static Instant instant(Headers headers, String name, List<String> problems) {
        Long millis = number(headers, name, problems);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static Long number(Headers headers, String name, List<String> problems) {
        String value = text(headers, name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            problems.add(name + " is not a number: '" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'");
            return null;
        }
    }

    static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static void put(Headers headers, String name, Object value) {
        headers.remove(name);
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }
}
