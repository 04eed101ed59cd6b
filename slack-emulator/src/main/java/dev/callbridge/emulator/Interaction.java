package dev.callbridge.emulator;

/**
 * One {@code block_actions} request the emulator sent an app for a {@link Click}, and how the app answered.
 *
 * @param id in the order sent; never reused
 * @param responseUrl where the app may answer the user, up to five times within 30 minutes
 * @param status {@code DELIVERED} for a 2xx within Slack's 3 seconds, else {@code FAILED}
 * @param error {@code http_error}, {@code http_timeout} or {@code connection_failed}; {@code null} if delivered
 * @param httpStatus the app's HTTP status; {@code null} when there was no answer
 */
public record Interaction(
        long id,
        String appId,
        String teamId,
        String channel,
        String messageTs,
        String userId,
        String actionId,
        String value,
        String triggerId,
        String responseUrl,
        Delivery.Status status,
        String error,
        Integer httpStatus) {}
