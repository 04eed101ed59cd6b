package dev.callbridge.model.state;

import dev.callbridge.model.event.Participant;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Slack call as Slack's answers have shown it to be.
 *
 * @param slackCallId Slack's id for the call, once {@code calls.add} succeeded
 * @param addFailed {@code calls.add} failed for good; the call cannot be shown in Slack
 * @param participants who Slack lists on the call, keyed by {@link Participant#key()}
 * @param rejected participants Slack refused (for example {@code user_not_found}); not offered again
 * @param isolated participants whose batch (or whose {@code calls.add}) Slack refused for a reason about
 *     people; each is offered again on its own, so one unknown user does not keep the others off the call
 * @param duration the duration Slack was given when the call was ended
 * @param refusals Slack's error code for each participant it refused, isolated or deferred, by key
 * @param deferred participants whose {@code calls.participants.add} failed for a reason about the call
 *     (auth, scopes, retries run out); offered again after the call's next success or a redrive
 * @param blockMessage where the call block was posted, from {@code chat.postMessage}'s answer, so that
 *     replies can go in its thread; {@code null} when not known (states from before it was kept, or a
 *     block found posted after its answer was lost)
 * @param analysisReply the reply with the provider's analysis in the block's thread; {@code null} until
 *     it is posted or tried
 * @param endCallControl the End call control in the block's thread; {@code null} until it is posted or tried
 */
public record ObservedCall(
        String slackCallId,
        boolean addFailed,
        BlockStatus block,
        SortedMap<String, Participant> participants,
        SortedSet<String> rejected,
        SortedSet<String> isolated,
        String title,
        String joinUrl,
        String desktopAppJoinUrl,
        boolean ended,
        Long duration,
        SortedMap<String, String> refusals,
        SortedSet<String> deferred,
        BlockMessage blockMessage,
        Reply analysisReply,
        Reply endCallControl) {

    public ObservedCall {
        participants = Collections.unmodifiableSortedMap(new TreeMap<>(participants == null ? Map.of() : participants));
        rejected = sorted(rejected);
        isolated = sorted(isolated);
        deferred = sorted(deferred);
        refusals = Collections.unmodifiableSortedMap(new TreeMap<>(refusals == null ? Map.of() : refusals));
        block = block == null ? BlockStatus.PENDING : block;
    }

    public static ObservedCall none() {
        return new ObservedCall(null, false, BlockStatus.PENDING, null, null, null, null, null, null, false, null, null,
                null, null, null, null);
    }

    public boolean added() {
        return slackCallId != null;
    }

    /** Whether the person may be offered to Slack now: neither refused for good, nor deferred. */
    public boolean offerable(String key) {
        return !rejected.contains(key) && !deferred.contains(key);
    }

    public ObservedCall withAdded(String newSlackCallId, SortedMap<String, Participant> shown, String newTitle,
            String newJoinUrl, String newDesktopAppJoinUrl) {
        return new ObservedCall(newSlackCallId, false, block, shown, rejected, isolated, newTitle, newJoinUrl,
                newDesktopAppJoinUrl, false, null, refusals, deferred, blockMessage, analysisReply, endCallControl);
    }

    public ObservedCall withAddFailed(boolean failed) {
        return new ObservedCall(failed ? null : slackCallId, failed, block, participants, rejected, isolated,
                failed ? null : title, failed ? null : joinUrl, failed ? null : desktopAppJoinUrl, ended, duration,
                refusals, deferred, blockMessage, analysisReply, endCallControl);
    }

    public ObservedCall withBlock(BlockStatus newBlock) {
        return new ObservedCall(slackCallId, addFailed, newBlock, participants, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, refusals, deferred, blockMessage, analysisReply, endCallControl);
    }

    public ObservedCall withParticipants(SortedMap<String, Participant> shown) {
        return new ObservedCall(slackCallId, addFailed, block, shown, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, refusals, deferred, blockMessage, analysisReply, endCallControl);
    }

    /** These people's standing with Slack: refused for good, to be offered alone, or deferred, and why. */
    public ObservedCall withRefusals(SortedSet<String> newRejected, SortedSet<String> newIsolated,
            SortedSet<String> newDeferred, SortedMap<String, String> newRefusals) {
        return new ObservedCall(slackCallId, addFailed, block, participants, newRejected, newIsolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, newRefusals, newDeferred, blockMessage, analysisReply, endCallControl);
    }

    public ObservedCall withDetails(String newTitle, String newJoinUrl, String newDesktopAppJoinUrl) {
        return new ObservedCall(slackCallId, addFailed, block, participants, rejected, isolated, newTitle, newJoinUrl,
                newDesktopAppJoinUrl, ended, duration, refusals, deferred, blockMessage, analysisReply, endCallControl);
    }

    public ObservedCall withEnded(boolean isEnded, Long newDuration) {
        return new ObservedCall(slackCallId, addFailed, block, participants, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, isEnded, newDuration, refusals, deferred, blockMessage, analysisReply, endCallControl);
    }

    /** The call block as posted; {@code message} is where, or {@code null} when that is not known. */
    public ObservedCall withBlockPosted(BlockMessage message) {
        return new ObservedCall(slackCallId, addFailed, BlockStatus.POSTED, participants, rejected, isolated, title,
                joinUrl, desktopAppJoinUrl, ended, duration, refusals, deferred, message, analysisReply, endCallControl);
    }

    public ObservedCall withAnalysisReply(Reply reply) {
        return new ObservedCall(slackCallId, addFailed, block, participants, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, refusals, deferred, blockMessage, reply, endCallControl);
    }

    public ObservedCall withEndCallControl(Reply control) {
        return new ObservedCall(slackCallId, addFailed, block, participants, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, refusals, deferred, blockMessage, analysisReply, control);
    }

    /** Where replies to the call block go: its conversation and message, once both are known. */
    public Optional<BlockMessage> thread() {
        return block == BlockStatus.POSTED && blockMessage != null && blockMessage.channel() != null
                && blockMessage.ts() != null ? Optional.of(blockMessage) : Optional.empty();
    }

    private static SortedSet<String> sorted(Collection<String> keys) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keys == null ? Set.of() : keys));
    }

    /**
     * The message that carries the call block: the conversation id and the message's {@code ts}, as
     * {@code chat.postMessage} answered them.
     */
    public record BlockMessage(String channel, String ts) {}

    /**
     * A message the bridge posts in the call block's thread, as Slack's answers showed it.
     *
     * @param ts the message's timestamp once posted (kept when a later update of it failed)
     * @param error Slack's error when it was refused for good
     */
    public record Reply(ReplyStatus status, String ts, String error) {

        public static Reply posted(String ts) {
            return new Reply(ReplyStatus.POSTED, ts, null);
        }
    }

    /** Where one of the bridge's thread replies stands. */
    public enum ReplyStatus {
        /** In the thread; {@code ts} names it. */
        POSTED,
        /**
         * Its post was sent and its answer lost (the operation was recovered): it may be in the thread,
         * so the next post looks for it there first and is not posted twice.
         */
        MAYBE_POSTED,
        /** The End call control was updated to say that the call ended; nothing more is sent for it. */
        ENDED_SHOWN,
        /** Slack refused it for good (its {@code error}); not tried again unless redriven. */
        FAILED
    }

    /** Whether the call block was posted to a channel. */
    public enum BlockStatus {
        PENDING,
        POSTED,
        /** Slack refused the post for good (for example {@code channel_not_found}); not tried again. */
        FAILED,
        /** No channel was given and none is configured. */
        NO_CHANNEL
    }
}
