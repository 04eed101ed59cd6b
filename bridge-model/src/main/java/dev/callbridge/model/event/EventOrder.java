package dev.callbridge.model.event;

import java.time.Instant;
import java.util.Comparator;

/**
 * Where an event stands in its call's history: first the provider's {@code time}, then, among events
 * of the same {@code time}, the provider's {@code sequence}, an event without one before any with one.
 * This is a total order whatever mix of events carries a {@code sequence}, so a call's state does not
 * depend on the order its events arrive in. Events equal in both are a tie; see {@code DesiredCall}
 * for how ties are settled.
 */
public record EventOrder(Long sequence, Instant time) implements Comparable<EventOrder> {

    private static final Comparator<EventOrder> ORDER = Comparator.comparing(EventOrder::time)
            .thenComparing(EventOrder::sequence, Comparator.nullsFirst(Comparator.naturalOrder()));

    @Override
    public int compareTo(EventOrder other) {
        return ORDER.compare(this, other);
    }

    public boolean isAfter(EventOrder other) {
        return compareTo(other) > 0;
    }
}
