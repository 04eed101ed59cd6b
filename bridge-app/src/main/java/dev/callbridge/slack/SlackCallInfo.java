package dev.callbridge.slack;

import dev.callbridge.model.event.Participant;
import java.util.List;

/**
 * A Slack call as {@code calls.info} shows it, or why it could not be read.
 */
public sealed interface SlackCallInfo {

    /** Slack knows the call; {@code ended} when it has a {@code date_end}. */
    record Found(
            String slackCallId,
            String externalUniqueId,
            boolean ended,
            List<Participant> participants,
            String title,
            String joinUrl,
            String desktopAppJoinUrl,
            List<String> channels) implements SlackCallInfo {

        public Found {
            participants = List.copyOf(participants);
            channels = channels == null ? List.of() : List.copyOf(channels);
        }
    }

    /** Slack answered with an error code ({@code invalid_call_id}, {@code missing_scope}, …) or none came. */
    record Unavailable(String reason) implements SlackCallInfo {}
}
