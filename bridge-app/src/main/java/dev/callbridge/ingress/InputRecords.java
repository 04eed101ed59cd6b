package dev.callbridge.ingress;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.InvalidEventException;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Call events as the ingress writes them to {@code telephony.call-events}: structured-mode CloudEvents
 * JSON under its content type, keyed by the call. Every event is read back through the bridge's own
 * codec before it is written, so the bridge never dead-letters what the ingress accepted as malformed.
 */
final class InputRecords {

    /** The headers of every record written: the structured mode's content type. */
    static final Map<String, String> HEADERS =
            Map.of(CloudEventCodec.CONTENT_TYPE_HEADER, CloudEventCodec.STRUCTURED_CONTENT_TYPE);

    private final CloudEventCodec codec;
    private final int maxEventBytes;

    InputRecords(CloudEventCodec codec, int maxEventBytes) {
        this.codec = codec;
        this.maxEventBytes = maxEventBytes;
    }

    CloudEventCodec codec() {
        return codec;
    }

    /**
     * The records of the events a webhook brought, each read back as the bridge will read it; or why they cannot
     * be written, each violation named by the webhook's field it came from where {@code origins} knows it.
     *
     * @param origins the webhook's field behind an event field, such as {@code data.duration} to {@code CallDuration}
     */
    Intake checked(List<CallEvent> events, Map<String, String> origins) {
        List<InputRecord> checked = new ArrayList<>(events.size());
        for (CallEvent event : events) {
            try {
                byte[] value = codec.encodeStructured(event);
                checked.add(new InputRecord(codec.decode(value, HEADERS), value));
            } catch (InvalidEventException e) {
                if (e.reason() == RejectReason.OVERSIZE) {
                    return new Intake.TooLarge(maxEventBytes);
                }
                return new Intake.Invalid(e.violations().stream()
                        .map(v -> new Violation(origins.getOrDefault(v.field(), v.field()), v.reason(), v.message()))
                        .toList());
            }
        }
        return new Intake.Events(checked);
    }
}
