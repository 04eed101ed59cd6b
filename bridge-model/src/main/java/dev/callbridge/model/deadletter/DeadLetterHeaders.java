package dev.callbridge.model.deadletter;

/**
 * Headers the bridge adds to every dead letter, beside the original record's own headers, so an
 * operator can see why it was set aside and redrive it to where it came from.
 */
public final class DeadLetterHeaders {

    /** A short machine-readable code, such as {@code missing_field} or {@code invalid_auth}. */
    public static final String REASON = "dlt.reason";
    /** A human-readable explanation naming the field or the Slack error. */
    public static final String DETAIL = "dlt.detail";
    /** The topic the record was read from. */
    public static final String TOPIC = "dlt.topic";
    /** The partition the record was read from, in decimal. */
    public static final String PARTITION = "dlt.partition";
    /** The offset the record was read from, in decimal. */
    public static final String OFFSET = "dlt.offset";

    /**
     * When the record was dead-lettered, as an ISO-8601 instant; the dead letter keeps the original
     * record's timestamp, so this is what {@code bridge redrive --since/--until} selects by.
     */
    public static final String AT = "dlt.at";

    /**
     * Present when the original value and headers were too large to keep in a dead letter: their size
     * in bytes, in decimal. The dead letter then carries only the key and the {@code dlt.*} headers;
     * the original stays at {@link #TOPIC}, {@link #PARTITION}, {@link #OFFSET} for as long as that
     * topic keeps it.
     */
    public static final String ORIGINAL_DROPPED = "dlt.original-dropped";

    /** Longest {@link #DETAIL} written; longer explanations are cut. */
    public static final int MAX_DETAIL_CHARS = 1000;

    private DeadLetterHeaders() {}
}
