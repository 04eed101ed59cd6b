package dev.callbridge.emulator;

/**
 * A user's click on a button of a message, which the emulator sends the app as Slack does: a signed
 * {@code block_actions} request to its interactivity URL.
 *
 * @param teamId the workspace of the message
 * @param channel the conversation the message is in
 * @param messageTs the message's {@code ts}, as {@code chat.postMessage} answered it
 * @param userId who clicked
 * @param actionId the button's {@code action_id}
 * @param value the button's {@code value}; may be {@code null}
 * @param blockId the {@code block_id} of the button's actions block; a generated one when {@code null}
 * @param clientId the app whose button it is; may be {@code null} when the emulator has one app
 */
public record Click(
        String teamId, String channel, String messageTs, String userId, String actionId, String value, String blockId,
        String clientId) {

    public Click {
        requireText("team_id", teamId);
        requireText("channel", channel);
        requireText("message_ts", messageTs);
        requireText("user_id", userId);
        requireText("action_id", actionId);
    }

    /** {@code userId} clicking the button {@code actionId} (carrying {@code value}) of the emulator's only app. */
    public static Click of(String teamId, String channel, String messageTs, String userId, String actionId,
            String value) {
        return new Click(teamId, channel, messageTs, userId, actionId, value, null, null);
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
