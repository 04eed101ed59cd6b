package dev.callbridge.topology;

/**
 * Thrown by a processor to set its input record aside: {@link DeadLetterHandler} dead-letters the
 * record with this reason and message, as it was received, and the stream goes on.
 */
final class RejectedInputException extends RuntimeException {

    private final String reason;

    RejectedInputException(String reason, String detail) {
        // A verdict on the input, not a fault in the code: no stack trace to fill in.
        super(detail, null, false, false);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
