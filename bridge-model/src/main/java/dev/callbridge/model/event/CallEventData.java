package dev.callbridge.model.event;

import java.util.List;

/** The {@code data} of a call event; one variant per {@link CallEventType}. */
public sealed interface CallEventData {

    /** {@code call.started}: what {@code calls.add} needs, plus where to post the call block. */
    record Started(
            String joinUrl,
            String desktopAppJoinUrl,
            String externalDisplayId,
            String title,
            String createdBy,
            Long dateStart,
            String channel,
            String teamId,
            List<Participant> participants) implements CallEventData {

        public Started {
            participants = participants == null ? List.of() : List.copyOf(participants);
        }
    }

    /** {@code call.participant.joined}. */
    record Joined(Participant participant) implements CallEventData {}

    /** {@code call.participant.left}. */
    record Left(Participant participant) implements CallEventData {}

    /** {@code call.updated}: any of the call's editable details. */
    record Updated(String title, String joinUrl, String desktopAppJoinUrl) implements CallEventData {}

    /** {@code call.ended}. */
    record Ended(Long duration, String disconnectReason) implements CallEventData {}

    /** {@code call.analyzed}: what the provider made of the call afterwards; at least one field is given. */
    record Analyzed(String summary, String sentiment, String recordingUrl, String transcriptUrl) implements CallEventData {}
}
