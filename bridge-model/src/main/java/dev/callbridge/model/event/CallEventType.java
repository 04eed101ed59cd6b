package dev.callbridge.model.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** The CloudEvents {@code type} values the bridge understands. */
public enum CallEventType {
    STARTED("call.started"),
    PARTICIPANT_JOINED("call.participant.joined"),
    PARTICIPANT_LEFT("call.participant.left"),
    UPDATED("call.updated"),
    ENDED("call.ended"),
    ANALYZED("call.analyzed");

    private final String wireName;

    CallEventType(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<CallEventType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    @JsonCreator
    static CallEventType parse(String name) {
        return fromWireName(name).orElseThrow(() -> new IllegalArgumentException("unknown call event type: " + name));
    }
}
