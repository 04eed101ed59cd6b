package dev.callbridge.emulator;

/**
 * A message an app sent to an interaction's {@code response_url}: shown to the clicking user alone
 * ({@code ephemeral}, the default), to the channel ({@code in_channel}), or in place of the message clicked.
 *
 * @param interactionId the {@link Interaction} whose response URL it came to
 * @param blocks the message's blocks as JSON text; {@code null} when it had none
 * @param receivedAt epoch milliseconds
 */
public record ResponseMessage(
        long interactionId,
        String teamId,
        String channel,
        String messageTs,
        String userId,
        String responseType,
        boolean replaceOriginal,
        boolean deleteOriginal,
        String text,
        String blocks,
        long receivedAt) {

    public boolean ephemeral() {
        return "ephemeral".equals(responseType);
    }
}
