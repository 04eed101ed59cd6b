package dev.callbridge.model.op;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * The kinds of message the bridge posts in a call block's thread. Each is posted once per call; the
 * message's metadata names the call and the kind, so the bridge can find it there again.
 */
public enum ThreadReply {
    /** The provider's analysis of the call ({@code call.analyzed}). */
    ANALYSIS("analysis"),
    /** The button that ends the call at the provider, and later the word that it ended. */
    END_CALL_CONTROL("end_call_control");

    /** The {@code event_type} of the metadata on every reply the bridge posts. */
    public static final String METADATA_EVENT_TYPE = "callbridge_thread_reply";

    private final String wireName;

    ThreadReply(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static ThreadReply fromWireName(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown thread reply: " + name));
    }
}
