package dev.callbridge.dispatch;

import dev.callbridge.model.result.OpResult;
import java.time.Duration;

/**
 * What the dispatcher does with an operation after one Slack answer, with what the request counts as
 * ({@link #outcome}, the label of the requests-by-outcome meter) and what to log ({@link #log}, or
 * {@code null}): decided once, by the {@link Decider}.
 */
sealed interface Disposition {

    String outcome();

    String log();

    /**
     * The operation is done; {@code result} goes to the reconciler: a success, or for {@code calls.info}
     * what Slack showed.
     */
    record Done(OpResult result, String outcome, String log) implements Disposition {}

    /**
     * Try again after {@code delay}; {@code interim} tells the reconciler it is still under way.
     *
     * @param uncertain whether this attempt may have reached Slack though no answer said so
     */
    record Retry(Duration delay, Attempts next, OpResult interim, boolean uncertain, String outcome, String log)
            implements Disposition {}

    /**
     * Give up: dead-letter the operation with {@code reason} (Slack's error code, or why the retries
     * ran out) and tell the reconciler it failed.
     */
    record DeadLetter(OpResult.Failed result, String reason, String detail, String outcome, String log)
            implements Disposition {}

    /** Only after a {@code calls.info} check: Slack does not show the call block, so the post goes now. */
    record Proceed(String outcome, String log) implements Disposition {}
}
