package dev.callbridge.model.event;

/** Why an input record was dead-lettered; the code goes into the DLT record's reason header. */
public enum RejectReason {
    /** Not JSON, or not a JSON object. */
    UNPARSEABLE("unparseable"),
    /** Larger than the configured maximum record size. */
    OVERSIZE("oversize"),
    /** A {@code type} the bridge does not know. */
    UNKNOWN_TYPE("unknown_type"),
    /** A required attribute or data field is absent (for example {@code subject} or {@code data.join_url}). */
    MISSING_FIELD("missing_field"),
    /** A field is present but has the wrong type or an invalid value. */
    INVALID_FIELD("invalid_field");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
