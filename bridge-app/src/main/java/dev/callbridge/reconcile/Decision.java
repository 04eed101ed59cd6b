package dev.callbridge.reconcile;

import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.state.CallState;
import java.util.List;

/**
 * What the reconciler decided for one input.
 *
 * @param state the call's new state; {@code null} with {@link Outcome#FORGOTTEN} means delete it
 * @param ops the operations to send, at most one
 * @param stateChanged whether {@code state} must be stored; false leaves the stored value as it was
 */
public record Decision(CallState state, List<CallOp> ops, Outcome outcome, boolean stateChanged) {

    public Decision {
        ops = List.copyOf(ops);
    }

    static Decision unchanged(CallState state, Outcome outcome) {
        return new Decision(state, List.of(), outcome, false);
    }

    /** How an input was taken, for metrics and logs. */
    public enum Outcome {
        /** An event changed what Slack should show. */
        APPLIED,
        /** An event with a {@code source}+{@code id} already seen. */
        DUPLICATE,
        /** An event after the call ended, or older than what it would overwrite; nothing changes in Slack. */
        IGNORED_LATE,
        /** A final or interim result for the operation in flight. */
        RESULT_APPLIED,
        /** A result for an operation that is no longer in flight (a redelivery or a replay). */
        STALE_RESULT,
        /** A result for a call the bridge holds no state for. */
        UNKNOWN_CALL,
        /** An operator redrove a dead-lettered operation; what its failure settled was undone. */
        REDRIVEN,
        /** A {@code calls.info} reading (an operator's, or the bridge's own after a lost answer) replaced the observed call. */
        INSPECTED,
        /** An operator's reading arrived while an operation was in flight, and was not taken. */
        BUSY,
        /**
         * The operation in flight was heard of no more (its answer lost, or it expired unsent): the call
         * goes on from Slack's own state ({@code calls.info}), or {@code calls.add} is planned again.
         */
        RECOVERED,
        /** A call's {@code calls.add}, held while the bridge read the events that followed its start, is planned. */
        RELEASED,
        /** The sweeper ended a call that had no event for too long. */
        SWEPT,
        /** The sweeper dropped a finished call past its retention, or events of a call that never started. */
        FORGOTTEN,
        /** The sweeper looked and had nothing to do. */
        NOTHING_TO_DO
    }
}
