package dev.callbridge.provider.emulator;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whom the platform tells about a call: its own signed webhooks, or Twilio's status callbacks of the call's leg. */
public enum Flavour {
    /** The platform's {@code call_started}, {@code call_ended} and {@code call_analyzed} webhooks. */
    VOICE_AI,
    /** Twilio's call-progress status callbacks ({@code initiated}, {@code ringing}, {@code in-progress}, {@code completed}). */
    TWILIO;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Flavour of(String name) {
        for (Flavour flavour : values()) {
            if (flavour.wireName().equals(name)) {
                return flavour;
            }
        }
        throw new IllegalArgumentException("flavour must be voice_ai or twilio, was '" + name + "'");
    }
}
