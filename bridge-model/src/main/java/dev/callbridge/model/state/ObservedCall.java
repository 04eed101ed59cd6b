package dev.callbridge.model.state;

import dev.callbridge.model.event.Participant;
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
 * @param isolated participants whose batch Slack refused; each is offered again on its own, so one
 *     unknown user does not keep the others off the call
 * @param duration the duration Slack was given when the call was ended
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
        Long duration) {

    public ObservedCall {
        participants = Collections.unmodifiableSortedMap(new TreeMap<>(participants == null ? Map.of() : participants));
        rejected = Collections.unmodifiableSortedSet(new TreeSet<>(rejected == null ? Set.of() : rejected));
        isolated = Collections.unmodifiableSortedSet(new TreeSet<>(isolated == null ? Set.of() : isolated));
        block = block == null ? BlockStatus.PENDING : block;
    }

    public static ObservedCall none() {
        return new ObservedCall(null, false, BlockStatus.PENDING, new TreeMap<>(), new TreeSet<>(), new TreeSet<>(), null, null,
                null, false, null);
    }

    public boolean added() {
        return slackCallId != null;
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
