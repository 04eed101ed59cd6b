package dev.callbridge.model.state;

import dev.callbridge.model.event.EventOrder;
import dev.callbridge.model.event.Participant;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Slack call the events describe: what the bridge wants Slack to show. Each piece carries the
 * {@link EventOrder} of the event that set it, so events applied in any order give the same result.
 *
 * @param start set by {@code call.started}; until then the call's other events are only held here
 * @param participants everyone ever seen on the call, keyed by {@link Participant#key()}, with their
 *     latest presence
 * @param end set by {@code call.ended}, or by the stale-call sweeper
 * @param lastEventTime the latest provider {@code time} seen, used for the duration of swept calls
 */
public record DesiredCall(
        Start start,
        Versioned title,
        Versioned joinUrl,
        Versioned desktopAppJoinUrl,
        SortedMap<String, Presence> participants,
        End end,
        Instant lastEventTime) {

    public DesiredCall {
        participants = Collections.unmodifiableSortedMap(new TreeMap<>(participants == null ? Map.of() : participants));
    }

    public static DesiredCall empty() {
        return new DesiredCall(null, null, null, null, new TreeMap<>(), null, null);
    }

    /** The people on the call now, in key order. */
    public List<Participant> present() {
        return participants.values().stream().filter(Presence::present).map(Presence::participant).toList();
    }

    public static String valueOf(Versioned field) {
        return field == null ? null : field.value();
    }

    /** What {@code call.started} fixed once: everything {@code calls.add} needs besides the editable details. */
    public record Start(
            String externalDisplayId,
            String createdBy,
            long dateStart,
            String channel,
            String teamId,
            EventOrder order) {}

    /** One editable detail (title, join URLs) with the order of the event that set it; last writer wins. */
    public record Versioned(String value, EventOrder order) {}

    /** A participant's latest known presence and the order of the event that says so. */
    public record Presence(Participant participant, boolean present, EventOrder order) {}

    /**
     * Why and when the call ended.
     *
     * @param duration the provider's duration in seconds, when it sent one
     * @param swept true when the stale-call sweeper ended the call, not an event
     */
    public record End(Long duration, Instant endedAt, String reason, boolean swept, EventOrder order) {}
}
