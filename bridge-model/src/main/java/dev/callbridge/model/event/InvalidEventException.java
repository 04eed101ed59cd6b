package dev.callbridge.model.event;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;

/** An input record that is not a valid call event; carries every violation found. */
public final class InvalidEventException extends SerializationException {

    private final List<Violation> violations;

    public InvalidEventException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid event needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public static InvalidEventException of(String field, RejectReason reason, String message) {
        return new InvalidEventException(List.of(new Violation(field, reason, message)));
    }

    /** The reason of the first violation, which decides the DLT reason code. */
    public RejectReason reason() {
        return violations.get(0).reason();
    }

    public List<Violation> violations() {
        return violations;
    }
}
