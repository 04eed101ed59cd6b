package dev.callbridge.slack;

import dev.callbridge.model.op.CallOp;

/** Sends one Slack operation and reports what came back; never throws for Slack's or the network's failures. */
public interface SlackClient {

    SlackAnswer send(CallOp op);

    /** The error every operation of {@code teamId} fails with now, without a request; {@code null} if none is known. */
    default String refused(String teamId) {
        return null;
    }
}
