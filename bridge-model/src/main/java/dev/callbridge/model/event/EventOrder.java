package dev.callbridge.model.event;

import java.time.Instant;
import java.util.Comparator;

/**
 * Where an event stands in its call's history: the provider's {@code sequence} when both sides
 * carry one, otherwise the provider's {@code time}. Later orders win.
 */
public record EventOrder(Long sequence, Instant time) implements Comparable<EventOrder> {

    private static final Comparator<Long> SEQUENCE = Comparator.naturalOrder();

    @Override
    public int compareTo(EventOrder other) {
        if (sequence != null && other.sequence != null) {
            int bySequence = SEQUENCE.compare(sequence, other.sequence);
            if (bySequence != 0) {
                return bySequence;
            }
        }
        return time.compareTo(other.time);
    }

    public boolean isAfter(EventOrder other) {
        return compareTo(other) > 0;
    }
}
