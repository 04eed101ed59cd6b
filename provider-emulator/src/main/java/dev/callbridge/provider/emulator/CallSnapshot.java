package dev.callbridge.provider.emulator;

/**
 * A call as the platform holds it, in the shape {@code GET /calls/{call_id}} answers with; times are
 * RFC 3339.
 *
 * @param status {@code in_progress} or {@code ended}
 * @param callSid the Twilio leg's {@code CallSid} of a {@link Flavour#TWILIO} call; {@code null} otherwise
 */
public record CallSnapshot(
        String callId,
        String status,
        String fromNumber,
        String toNumber,
        String agentName,
        Flavour flavour,
        String callSid,
        String startedAt,
        String endedAt,
        Long durationSeconds,
        String disconnectReason) {

    public static final String IN_PROGRESS = "in_progress";
    public static final String ENDED = "ended";

    public boolean ended() {
        return ENDED.equals(status);
    }
}
