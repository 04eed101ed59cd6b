package dev.callbridge.emulator;

/**
 * One Events API request the emulator sent an app, with its retries, as the inspection API shows it.
 *
 * @param id in the order the requests were raised; never reused
 * @param type the event's type ({@code tokens_revoked}, {@code app_uninstalled}) or {@code url_verification}
 * @param eventId the envelope's {@code event_id}, the same on every retry; {@code null} for {@code url_verification}
 * @param teamId the workspace of the event; {@code null} for {@code url_verification}
 * @param url the app's events URL it was sent to
 * @param retries how many retries were sent, the {@code X-Slack-Retry-Num} of the last
 * @param lastError why the last attempt failed: {@code http_error}, {@code http_timeout},
 *     {@code connection_failed} (Slack's {@code X-Slack-Retry-Reason}), or {@code challenge_mismatch}
 *     for a {@code url_verification} answered without its challenge; {@code null} if it did not fail
 * @param lastHttpStatus the HTTP status of the last answer; {@code null} while there was none
 */
public record Delivery(
        long id,
        String type,
        String eventId,
        String appId,
        String teamId,
        String url,
        Status status,
        int retries,
        String lastError,
        Integer lastHttpStatus) {

    /** Where a delivery stands. */
    public enum Status {
        /** An attempt is under way or a retry is due. */
        PENDING,
        /** Answered with a 2xx (echoing the challenge, for {@code url_verification}). */
        DELIVERED,
        /** Every attempt failed; {@code url_verification} is not retried. */
        FAILED
    }
}
