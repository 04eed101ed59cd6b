package dev.callbridge.slack;

import dev.callbridge.model.op.CallOp;

/** Sends one Slack operation and reports what came back; never throws for Slack's or the network's failures. */
public interface SlackClient {

    SlackAnswer send(CallOp op);
}
