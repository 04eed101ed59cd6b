package dev.callbridge.model.event;

import java.time.Instant;

/**
 * A validated call lifecycle event, decoded from a CloudEvent in structured or binary mode.
 *
 * @param subject the provider's call id, used as Slack's {@code external_unique_id}
 * @param sequence the provider's per-call ordering number, when it sends one
 */
public record CallEvent(
        String id,
        String source,
        CallEventType type,
        String subject,
        Instant time,
        Long sequence,
        CallEventData data) {

    /** The pair ({@code source}, {@code id}) that identifies a duplicate, as one unambiguous string. */
    public String dedupeKey() {
        return source.length() + ":" + source + "#" + id;
    }

    public EventOrder order() {
        return new EventOrder(sequence, time);
    }
}
