package dev.callbridge.topology;

import dev.callbridge.model.state.CallState;
import java.util.Optional;

/**
 * How large one call may grow in the bridge. An event may not make a call's state grow past
 * {@code maxBytes} as a record, nor add a participant past {@code maxParticipants}; an event that
 * does not grow it (a {@code call.ended}, or any event of a call already over a limit lowered since)
 * is always taken, so a call over its limit can still end. Slack's answers and the sweeper are held
 * only to what a record can carry, since they bring the observed call up to what events already
 * asked for, and refusing them would leave the call stuck.
 *
 * @param maxBytes {@code calls.state.max.bytes}: the call id and its serialized state together
 * @param maxParticipants {@code calls.participants.max}: everyone ever seen on the call
 */
public record CallStateLimit(int maxBytes, int maxParticipants) {

    /** Dead-letter reason: the call's state would outgrow its limit. */
    public static final String TOO_LARGE = "call_state_too_large";
    /** Dead-letter reason: the call would have more distinct participants than allowed. */
    public static final String TOO_MANY_PARTICIPANTS = "too_many_participants";

    public CallStateLimit {
        if (maxBytes < 1 || maxBytes > RecordLimits.MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(
                    "maxBytes must be between 1 and " + RecordLimits.MAX_RECORD_BYTES + ", was " + maxBytes);
        }
        if (maxParticipants < 1) {
            throw new IllegalArgumentException("maxParticipants must be at least 1, was " + maxParticipants);
        }
    }

    /**
     * What the call was before an event.
     *
     * @param ending the event is a {@code call.ended}, which never counts as growth
     * @param bytesBefore the earlier state's size as a record; asked for only when the new one is over the limit
     */
    public record Growth(boolean ending, int participantsBefore, java.util.function.IntSupplier bytesBefore) {}

    /** Why a state may not be kept: a dead-letter reason and a sentence naming the call and the limit. */
    public record Breach(String reason, String detail) {}

    /**
     * Why the call's new state may not be kept, if it may not.
     *
     * @param bytes the state's size as a record, its call id included
     * @param growth how the event that led to it grew the call, or {@code null} for a result or the sweeper
     * @param recordMaxBytes the most that any record of the state may take
     */
    public Optional<Breach> breach(CallState state, int bytes, Growth growth, int recordMaxBytes) {
        String call = state.externalUniqueId();
        if (bytes > recordMaxBytes) {
            return Optional.of(new Breach(TOO_LARGE, "call " + call + ": its state would take " + bytes
                    + " bytes, more than the " + recordMaxBytes + " a record of it may take"));
        }
        if (growth == null || growth.ending()) {
            return Optional.empty();
        }
        int participants = state.desired().participants().size();
        if (participants > maxParticipants && participants > growth.participantsBefore()) {
            return Optional.of(new Breach(TOO_MANY_PARTICIPANTS, "call " + call + ": it would have " + participants
                    + " distinct participants, more than calls.participants.max (" + maxParticipants + ")"));
        }
        if (bytes > maxBytes && bytes > growth.bytesBefore().getAsInt()) {
            return Optional.of(new Breach(TOO_LARGE, "call " + call + ": its state would take " + bytes
                    + " bytes, more than calls.state.max.bytes (" + maxBytes + ")"));
        }
        return Optional.empty();
    }
}
