package dev.callbridge.topology;

import dev.callbridge.model.op.CallOp;

/** What the reconcile processor emits: an operation for the dispatcher, or the call's new bridge view. */
sealed interface Emission {

    /** An operation for {@code slack.call-ops}. */
    record Op(CallOp op) implements Emission {}

    /**
     * The call's view for {@code slack.calls}, already serialized: the bytes the state store was given;
     * {@code null} is a tombstone for a forgotten call.
     */
    record View(byte[] state) implements Emission {}
}
