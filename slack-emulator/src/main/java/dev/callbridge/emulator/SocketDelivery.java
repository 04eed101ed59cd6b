package dev.callbridge.emulator;

import java.util.List;

/**
 * One {@code events_api} envelope the emulator sent an app in Socket Mode, with its attempts, as the
 * inspection API shows it.
 *
 * @param id in the order the envelopes were raised; never reused
 * @param envelopeId what the app acknowledges; the same on every attempt
 * @param eventType the event's type ({@code tokens_revoked}, {@code app_uninstalled})
 * @param eventId the payload's {@code event_id}
 * @param retries the {@code retry_attempt} of the last attempt
 * @param lastError why the last failed attempt failed: {@code http_timeout} (no acknowledgement in
 *     time) or {@code connection_failed} (no open connection, or it closed before the acknowledgement);
 *     the next attempt's {@code retry_reason}
 * @param ackedOn the connection whose acknowledgement settled it; {@code null} until then
 * @param attempts every attempt, oldest first
 */
public record SocketDelivery(
        long id,
        String envelopeId,
        String eventType,
        String eventId,
        String appId,
        String teamId,
        Status status,
        int retries,
        String lastError,
        String ackedOn,
        List<Attempt> attempts) {

    public SocketDelivery {
        attempts = List.copyOf(attempts);
    }

    /** Where an envelope stands. */
    public enum Status {
        /** Sent and not yet acknowledged, or a retry is due. */
        PENDING,
        /** The app acknowledged its {@code envelope_id}. */
        ACKED,
        /** No attempt was acknowledged, the three retries included. */
        FAILED
    }

    /**
     * One sending of the envelope.
     *
     * @param retryAttempt its {@code retry_attempt}
     * @param connectionId where it went; {@code null} when the app had no open connection
     * @param outcome {@code acked}, {@code http_timeout} or {@code connection_failed}; {@code null} while awaited
     */
    public record Attempt(int retryAttempt, String connectionId, String outcome) {}
}
