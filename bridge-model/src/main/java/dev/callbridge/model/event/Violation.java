package dev.callbridge.model.event;

/** One thing wrong with an input record: the field (a dotted path, or {@code "record"}) and why. */
public record Violation(String field, RejectReason reason, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
