package dev.callbridge.emulator;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A message accepted by the emulated {@code chat.postMessage}, as it stands after any {@code chat.update}.
 *
 * @param threadTs the ts of the message whose thread it replies in; {@code null} for a message in the channel
 * @param user the user who posted it (a bot's user for a bot token)
 * @param botId the bot that posted it; {@code null} for a user token
 * @param blocks its blocks as posted, or {@code null}
 * @param metadata its {@code metadata} ({@code event_type} and {@code event_payload}), or {@code null}
 * @param callIds the calls its call blocks show
 * @param edits how many times {@code chat.update} changed it
 */
public record PostedMessage(
        String teamId,
        String channel,
        String ts,
        String threadTs,
        String user,
        String botId,
        String text,
        JsonNode blocks,
        JsonNode metadata,
        List<String> callIds,
        int edits) {

    public PostedMessage {
        callIds = List.copyOf(callIds);
    }

    /** Whether it is a reply in another message's thread. */
    @JsonIgnore
    public boolean isReply() {
        return threadTs != null;
    }

    PostedMessage updated(String newText, JsonNode newBlocks, JsonNode newMetadata, List<String> newCallIds) {
        return new PostedMessage(teamId, channel, ts, threadTs, user, botId, newText, newBlocks, newMetadata, newCallIds,
                edits + 1);
    }
}
