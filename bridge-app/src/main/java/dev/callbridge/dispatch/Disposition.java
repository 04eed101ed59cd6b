package dev.callbridge.dispatch;

import dev.callbridge.model.result.OpResult;
import java.time.Duration;

/** What the dispatcher does with an operation after one Slack answer. */
sealed interface Disposition {

    /**
     * The operation is done; {@code result} goes to the reconciler: a success, or for {@code calls.info}
     * what Slack showed.
     */
    record Done(OpResult result) implements Disposition {}

    /** Try again after {@code delay}; {@code interim} tells the reconciler it is still under way. */
    record Retry(Duration delay, Attempts next, OpResult interim) implements Disposition {}

    /**
     * Give up: dead-letter the operation with {@code reason} (Slack's error code, or why the retries
     * ran out) and tell the reconciler it failed.
     */
    record DeadLetter(OpResult.Failed result, String reason, String detail) implements Disposition {}
}
