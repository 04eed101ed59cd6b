package dev.callbridge.slackapp;

import java.time.Duration;
import java.util.Locale;

/**
 * How a click on End call came out: what the clicking user is told (ephemerally) and the outcome tag
 * of {@code bridge_endcall_clicks_total}.
 */
public enum EndCallOutcome {
    /** The user may not end calls here; the platform was not asked. */
    REFUSED,
    /** The call is already being ended (or was ended) from this instance; the platform was not asked again. */
    DUPLICATE,
    /** Too many calls are being ended at once; the platform was not asked. */
    BUSY,
    /** The platform ended the call and shows it ended. */
    CONFIRMED,
    /** The platform said nothing to the request, and shows the call ended. */
    ALREADY_ENDED,
    /** The platform does not know the call. */
    UNKNOWN_CALL,
    /** The platform did not show the call ended within the confirmation timeout. */
    NOT_CONFIRMED,
    /** The platform could not be reached. */
    UNREACHABLE,
    /** The platform refused the request (a wrong key, an outage). */
    FAILED;

    /** The outcome's metric tag: {@code not_confirmed}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the call is over, so another click should not ask the platform again. */
    public boolean callIsOver() {
        return this == CONFIRMED || this == ALREADY_ENDED;
    }

    /** The ephemeral answer to the user who clicked. */
    public String message(Duration confirmTimeout) {
        return switch (this) {
            case REFUSED -> "You are not allowed to end calls from Slack here. An admin can add you to the bridge's"
                    + " End call users, or this channel to its End call channels.";
            case DUPLICATE -> "This call is already being ended.";
            case BUSY -> "Too many calls are being ended right now. Please try again in a moment.";
            case CONFIRMED -> "The call has ended.";
            case ALREADY_ENDED -> "The call had already ended.";
            case UNKNOWN_CALL -> "The voice platform does not know this call, so it was not ended.";
            case NOT_CONFIRMED -> "The voice platform has not confirmed within " + seconds(confirmTimeout)
                    + " that the call ended; it may still be live. You can try again.";
            case UNREACHABLE -> "The voice platform could not be reached; the call may still be live. You can try again.";
            case FAILED -> "The voice platform refused to end the call; it may still be live. Please tell an admin.";
        };
    }

    private static String seconds(Duration timeout) {
        long millis = timeout.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
