package dev.callbridge.dispatch;

import java.nio.charset.StandardCharsets;
import dev.callbridge.model.op.CallOp;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Headers the dispatcher puts on operations it parks in a retry topic. */
public final class DispatchHeaders {

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
    /** Present when the operation holds a reserved rate-limit slot starting at its due time. */
    public static final String RESERVED = "dispatch.reserved";
    /** When the dispatcher last told the reconciler about the operation (an interim result), epoch millis. */
    public static final String REPORTED_AT = "dispatch.reported-at";
    /** On dead letters: the Slack method. */
    public static final String METHOD = "dlt.method";
    /** On dead letters: attempts made. */
    public static final String ATTEMPTS = "dlt.attempts";

    private DispatchHeaders() {}

    static Instant dueAt(Headers headers) {
        String value = text(headers, DUE_AT);
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
    }

    static Instant releaseAt(Headers headers) {
        String value = text(headers, RELEASE_AT);
        return value == null ? dueAt(headers) : Instant.ofEpochMilli(Long.parseLong(value));
    }

    static Attempts attempts(Headers headers) {
        String attempt = text(headers, ATTEMPT);
        String rateLimited = text(headers, RATE_LIMITED);
        return new Attempts(attempt == null ? 1 : Integer.parseInt(attempt),
                rateLimited == null ? 0 : Integer.parseInt(rateLimited));
    }

    /**
     * When the reconciler last heard of the operation (issued, or an interim result), and how long it
     * waits for word; {@code null} for operations written before they carried it.
     */
    static Silence silence(Headers headers) {
        String issued = text(headers, CallOp.ISSUED_AT_HEADER);
        String timeout = text(headers, CallOp.TIMEOUT_HEADER);
        if (issued == null || timeout == null) {
            return null;
        }
        try {
            long lastWord = Long.parseLong(issued);
            String reported = text(headers, REPORTED_AT);
            if (reported != null) {
                lastWord = Math.max(lastWord, Long.parseLong(reported));
            }
            return new Silence(Instant.ofEpochMilli(lastWord), Duration.ofMillis(Long.parseLong(timeout)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The reconciler last heard of an operation at {@code lastWord} and gives up on it {@code timeout} later. */
    record Silence(Instant lastWord, Duration timeout) {}

    static boolean reserved(Headers headers) {
        return headers.lastHeader(RESERVED) != null;
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
