package dev.callbridge.reconcile;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.result.OpResult;

/** What the reconciler consumes for a call: an event from the provider or a result from the dispatcher. */
public sealed interface CallInput {

    /** A provider event from {@code telephony.call-events}. */
    record Event(CallEvent event) implements CallInput {}

    /** An operation outcome from {@code slack.call-results}. */
    record Result(OpResult result) implements CallInput {}
}
