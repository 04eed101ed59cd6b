package dev.callbridge.model.state;

import dev.callbridge.model.event.Participant;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
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
        SortedSet<String> deferred) {

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
                null);
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
                newDesktopAppJoinUrl, false, null, refusals, deferred);
    }

    public ObservedCall withAddFailed(boolean failed) {
        return new ObservedCall(failed ? null : slackCallId, failed, block, participants, rejected, isolated,
                failed ? null : title, failed ? null : joinUrl, failed ? null : desktopAppJoinUrl, ended, duration,
                refusals, deferred);
    }

    public ObservedCall withBlock(BlockStatus newBlock) {
        return new ObservedCall(slackCallId, addFailed, newBlock, participants, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, refusals, deferred);
    }

    public ObservedCall withParticipants(SortedMap<String, Participant> shown) {
        return new ObservedCall(slackCallId, addFailed, block, shown, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, refusals, deferred);
    }

    /** These people's standing with Slack: refused for good, to be offered alone, or deferred, and why. */
    public ObservedCall withRefusals(SortedSet<String> newRejected, SortedSet<String> newIsolated,
            SortedSet<String> newDeferred, SortedMap<String, String> newRefusals) {
        return new ObservedCall(slackCallId, addFailed, block, participants, newRejected, newIsolated, title, joinUrl,
                desktopAppJoinUrl, ended, duration, newRefusals, newDeferred);
    }

    public ObservedCall withDetails(String newTitle, String newJoinUrl, String newDesktopAppJoinUrl) {
        return new ObservedCall(slackCallId, addFailed, block, participants, rejected, isolated, newTitle, newJoinUrl,
                newDesktopAppJoinUrl, ended, duration, refusals, deferred);
    }

    public ObservedCall withEnded(boolean isEnded, Long newDuration) {
        return new ObservedCall(slackCallId, addFailed, block, participants, rejected, isolated, title, joinUrl,
                desktopAppJoinUrl, isEnded, newDuration, refusals, deferred);
    }

    private static SortedSet<String> sorted(Collection<String> keys) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(keys == null ? Set.of() : keys));
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
