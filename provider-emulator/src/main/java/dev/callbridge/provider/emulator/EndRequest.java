package dev.callbridge.provider.emulator;

/**
 * One {@code POST /calls/end} the platform received, as the inspection API shows it.
 *
 * @param id in the order received; never reused
 * @param receivedAt RFC 3339
 * @param callId the {@code call_id} as sent; {@code null} when the body had none
 * @param disconnectReason the {@code disconnect_reason} as sent; {@code null} when absent
 * @param outcome {@code ended}; or why nothing ended: {@code unauthorized}, {@code bad_request},
 *     {@code invalid_call_id}, {@code unknown_call}, {@code already_ended}, or {@code ignored} (the
 *     {@link Faults#endIgnored()} fault)
 * @param httpStatus what the platform answered: 200 (with the call, or empty) or 401
 */
public record EndRequest(
        long id, String receivedAt, String callId, String disconnectReason, String outcome, int httpStatus) {

    public static final String ENDED = "ended";
}
