package dev.callbridge.model.state;

import dev.callbridge.model.event.EventOrder;
import dev.callbridge.model.event.Participant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
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
 * @param analysis the provider's analysis of the call ({@code call.analyzed}), for the reply in the call
 *     block's thread
 */
public record DesiredCall(
        Start start,
        Versioned title,
        Versioned joinUrl,
        Versioned desktopAppJoinUrl,
        SortedMap<String, Presence> participants,
        End end,
        Instant lastEventTime,
        Analysis analysis) {

    public DesiredCall {
        participants = Collections.unmodifiableSortedMap(new TreeMap<>(participants == null ? Map.of() : participants));
    }

    public static DesiredCall empty() {
        return new DesiredCall(null, null, null, null, new TreeMap<>(), null, null, null);
    }

    /** The people on the call now, in key order. */
    public List<Participant> present() {
        return participants.values().stream().filter(Presence::present).map(Presence::participant).toList();
    }

    public static String valueOf(Versioned field) {
        return field == null ? null : field.value();
    }

    public DesiredCall withAnalysis(Analysis newAnalysis) {
        return new DesiredCall(start, title, joinUrl, desktopAppJoinUrl, participants, end, lastEventTime, newAnalysis);
    }

    /**
     * What {@code call.started} fixed once: everything {@code calls.add} needs besides the editable details.
     *
     * @param source the {@code source} of the {@code call.started} event, which decides whether the call gets
     *     an End call control; {@code null} in states from before it was kept
     */
    public record Start(
            String externalDisplayId,
            String createdBy,
            long dateStart,
            String channel,
            String teamId,
            EventOrder order,
            String source) {}

    /**
     * The provider's analysis of the call, from the {@code call.analyzed} event latest in event order;
     * of two tied events, the one with the greater {@code event} key, so arrival order never decides.
     *
     * @param event the dedupe key ({@code source} and {@code id}) of the event it came from
     */
    public record Analysis(
            String summary,
            String sentiment,
            String recordingUrl,
            String transcriptUrl,
            EventOrder order,
            String event) {

        /** Whether {@code other} replaces this analysis: it is later in event order, or tied and greater. */
        public boolean isOlderThan(Analysis other) {
            int cmp = other.order.compareTo(order);
            return cmp > 0 || (cmp == 0 && other.event.compareTo(event) > 0);
        }
    }

    /**
     * One editable detail (title, join URLs) with the order of the event that set it; the latest event
     * wins, and of two tied events the greater value, so that arrival order never decides.
     */
    public record Versioned(String value, EventOrder order) {

        /** This detail after an event setting it to {@code newValue}; {@code null} leaves it. */
        public Versioned after(String newValue, EventOrder newOrder) {
            if (newValue == null) {
                return this;
            }
            int cmp = newOrder.compareTo(order);
            return cmp > 0 || (cmp == 0 && newValue.compareTo(value == null ? "" : value) > 0)
                    ? new Versioned(newValue, newOrder) : this;
        }
    }

    /**
     * A participant's presence, from the joins and leaves seen for them. Each distinct event order keeps
     * its net count of joins minus leaves; the presence is the fold of those steps in order: a positive
     * step means present, a negative one absent, and a step that nets to zero (a join and a leave of the
     * same instant) leaves the presence as it was. So joins and leaves of one instant give the same
     * answer whatever order they arrive in, and join, leave, join ends present. Only the last
     * {@link #KEPT_STEPS} steps are kept; older ones are folded into {@code base}.
     *
     * @param present the presence after every step up to the call's end
     * @param order the latest order seen for them
     * @param base the presence before the kept steps
     * @param foldedUpTo the order of the last step folded into {@code base}; events not after it are ignored
     * @param steps the kept steps, in order
     */
    public record Presence(Participant participant, boolean present, EventOrder order, boolean base,
            EventOrder foldedUpTo, List<Step> steps) {

        public static final int KEPT_STEPS = 16;
        private static final Comparator<Participant> TIED_SHAPES = Comparator
                .comparing(Participant::displayName, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
                .thenComparing(Participant::avatarUrl, Comparator.nullsFirst(Comparator.<String>naturalOrder()));

        public Presence {
            if (steps == null) {
                // Written before steps were kept: the presence stands for its whole history up to its order.
                base = present;
                foldedUpTo = order;
                steps = List.of();
            }
            steps = List.copyOf(steps);
        }

        public Presence(Participant participant, boolean present, EventOrder order) {
            this(participant, present, order, false, null, null);
        }

        /** Nobody has said anything about this participant yet. */
        public static Presence unknown(Participant participant) {
            return new Presence(participant, false, null, false, null, List.of());
        }

        /** This presence after one more join ({@code +1}) or leave ({@code -1}) at {@code at}. */
        public Presence after(Participant who, int delta, EventOrder at, EventOrder end) {
            if (foldedUpTo != null && !at.isAfter(foldedUpTo)) {
                return this;
            }
            ArrayList<Step> next = new ArrayList<>(steps);
            int i = 0;
            while (i < next.size() && next.get(i).order().compareTo(at) < 0) {
                i++;
            }
            if (i < next.size() && next.get(i).order().compareTo(at) == 0) {
                next.set(i, new Step(at, next.get(i).net() + delta));
            } else {
                next.add(i, new Step(at, delta));
            }
            boolean newBase = base;
            EventOrder newFolded = foldedUpTo;
            while (next.size() > KEPT_STEPS) {
                Step oldest = next.remove(0);
                newBase = oldest.applyTo(newBase);
                newFolded = oldest.order();
            }
            boolean latest = order == null || at.compareTo(order) >= 0;
            // The latest event names them; of two tied events, the greater display name (then avatar).
            Participant shown = order == null || at.isAfter(order)
                    || (at.compareTo(order) == 0 && TIED_SHAPES.compare(who, participant) > 0)
                    ? who : participant;
            Presence stepped = new Presence(shown, false, latest ? at : order, newBase, newFolded, next);
            return stepped.until(end);
        }

        /** This presence as of the call's end (all steps when {@code end} is {@code null}). */
        public Presence until(EventOrder end) {
            boolean now = base;
            for (Step step : steps) {
                if (end != null && step.order().isAfter(end)) {
                    break;
                }
                now = step.applyTo(now);
            }
            return now == present ? this : new Presence(participant, now, order, base, foldedUpTo, steps);
        }
    }

    /** The joins minus leaves of one participant at one event order. */
    public record Step(EventOrder order, int net) {

        boolean applyTo(boolean present) {
            return net > 0 || (net == 0 && present);
        }
    }

    /**
     * Why and when the call ended.
     *
     * @param duration the provider's duration in seconds, when it sent one
     * @param swept true when the stale-call sweeper ended the call, not an event
     */
    public record End(Long duration, Instant endedAt, String reason, boolean swept, EventOrder order) {}
}
