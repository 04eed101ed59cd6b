package dev.callbridge.model.event;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Writes one call's events in the order they happen, filling in ids, times and sequence numbers:
 * each event is stamped with the current time, and {@link #after(Duration)} moves time on. For
 * producers, the demo generator and tests.
 */
public final class CallEvents {

    private final String callId;
    private final String source;
    private final boolean sequenced;
    private Instant now;
    private long sequence;
    private int counter;

    private CallEvents(String callId, String source, Instant start, boolean sequenced) {
        this.callId = callId;
        this.source = source;
        this.now = start;
        this.sequenced = sequenced;
    }

    /** Events for {@code callId} from {@code source}, starting at {@code start}, each with a {@code sequence}. */
    public static CallEvents sequenced(String callId, String source, Instant start) {
        return new CallEvents(callId, source, start, true);
    }

    /** Events ordered by {@code time} alone, as from a provider that sends no sequence numbers. */
    public static CallEvents unsequenced(String callId, String source, Instant start) {
        return new CallEvents(callId, source, start, false);
    }

    public String callId() {
        return callId;
    }

    public Instant now() {
        return now;
    }

    public CallEvents after(Duration duration) {
        now = now.plus(duration);
        return this;
    }

    public CallEvent started(String joinUrl, String title, String channel, List<Participant> participants) {
        return next(CallEventType.STARTED, new CallEventData.Started(
                joinUrl, null, null, title, null, now.getEpochSecond(), channel, null, participants));
    }

    public CallEvent started(String joinUrl) {
        return started(joinUrl, null, null, List.of());
    }

    public CallEvent started(CallEventData.Started data) {
        return next(CallEventType.STARTED, data);
    }

    public CallEvent joined(Participant participant) {
        return next(CallEventType.PARTICIPANT_JOINED, new CallEventData.Joined(participant));
    }

    public CallEvent left(Participant participant) {
        return next(CallEventType.PARTICIPANT_LEFT, new CallEventData.Left(participant));
    }

    public CallEvent updated(String title, String joinUrl, String desktopAppJoinUrl) {
        return next(CallEventType.UPDATED, new CallEventData.Updated(title, joinUrl, desktopAppJoinUrl));
    }

    public CallEvent ended(Long duration, String disconnectReason) {
        return next(CallEventType.ENDED, new CallEventData.Ended(duration, disconnectReason));
    }

    public CallEvent ended() {
        return ended(null, null);
    }

    public CallEvent analyzed(String summary, String sentiment, String recordingUrl, String transcriptUrl) {
        return next(CallEventType.ANALYZED, new CallEventData.Analyzed(summary, sentiment, recordingUrl, transcriptUrl));
    }

    private CallEvent next(CallEventType type, CallEventData data) {
        counter++;
        return new CallEvent(callId + "-" + counter, source, type, callId, now,
                sequenced ? ++sequence : null, data);
    }
}
