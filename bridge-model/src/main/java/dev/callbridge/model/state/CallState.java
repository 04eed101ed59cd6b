package dev.callbridge.model.state;

import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import java.time.Instant;
import java.util.List;

/**
 * Everything the bridge keeps for one call: the desired Slack state, the observed Slack state, the
 * one operation in flight, and what it needs to recognise duplicates. The state store's value, and
 * the value of {@code slack.calls}.
 *
 * @param opCount how many operations were issued for the call; numbers the next op id
 * @param seenEvents dedupe keys of recent events ({@code source}+{@code id}), oldest first
 * @param lastActivityAt wall-clock time of the last event, for the stale-call sweeper
 * @param lastFailure the last operation Slack refused for good, if any
 * @param incarnation which life of the call's state this is, part of every op id, so that after a reset
 *     that lost the state an old result replayed from {@code slack.call-results} never matches a new
 *     operation; {@code null} for states from before incarnations, whose op ids carry none
 */
public record CallState(
        String externalUniqueId,
        DesiredCall desired,
        ObservedCall observed,
        InFlight inFlight,
        long opCount,
        List<String> seenEvents,
        Instant lastActivityAt,
        OpFailure lastFailure,
        String incarnation) {

    public CallState {
        seenEvents = List.copyOf(seenEvents);
    }

    /** A call not seen before; its incarnation is the moment its state was born, in base 36 milliseconds. */
    public static CallState fresh(String externalUniqueId, Instant now) {
        return new CallState(externalUniqueId, DesiredCall.empty(), ObservedCall.none(), null, 0, List.of(), now, null,
                Long.toString(now.toEpochMilli(), Character.MAX_RADIX));
    }

    /** The op id of the call's next operation. */
    public String nextOpId(SlackMethod method) {
        return CallOp.opId(externalUniqueId, incarnation, opCount + 1, method);
    }

    public CallState withDesired(DesiredCall newDesired) {
        return new CallState(externalUniqueId, newDesired, observed, inFlight, opCount, seenEvents, lastActivityAt, lastFailure, incarnation);
    }

    public CallState withObserved(ObservedCall newObserved) {
        return new CallState(externalUniqueId, desired, newObserved, inFlight, opCount, seenEvents, lastActivityAt, lastFailure, incarnation);
    }

    public CallState withInFlight(InFlight newInFlight) {
        return new CallState(externalUniqueId, desired, observed, newInFlight, opCount, seenEvents, lastActivityAt, lastFailure, incarnation);
    }

    public CallState withIssued(CallOp op, Instant now) {
        return new CallState(externalUniqueId, desired, observed, new InFlight(op, 1, null, now, now), opCount + 1,
                seenEvents, lastActivityAt, lastFailure, incarnation);
    }

    public CallState withSeen(List<String> newSeenEvents, Instant now) {
        return new CallState(externalUniqueId, desired, observed, inFlight, opCount, newSeenEvents, now, lastFailure, incarnation);
    }

    public CallState withLastFailure(OpFailure failure) {
        return new CallState(externalUniqueId, desired, observed, inFlight, opCount, seenEvents, lastActivityAt, failure, incarnation);
    }

    /** Where the call stands, for operators and metrics. */
    public Phase phase() {
        if (observed.addFailed()) {
            return Phase.FAILED;
        }
        if (observed.ended()) {
            return Phase.ENDED;
        }
        if (desired.start() == null) {
            return Phase.WAITING_FOR_START;
        }
        if (!observed.added()) {
            return Phase.ADDING;
        }
        return desired.end() != null ? Phase.ENDING : Phase.LIVE;
    }

    /** The lifecycle of a call in the bridge. */
    public enum Phase { WAITING_FOR_START, ADDING, LIVE, ENDING, ENDED, FAILED }

    /** Where the reply with the call's analysis stands, and why when it is not posted; for operators. */
    public AnalysisStanding analysisStanding() {
        ObservedCall.Reply reply = observed.analysisReply();
        if (desired.analysis() == null) {
            return AnalysisStanding.NONE;
        }
        if (inFlight != null && inFlight.op() instanceof CallOp.PostAnalysis) {
            return AnalysisStanding.SENDING;
        }
        if (reply != null) {
            return switch (reply.status()) {
                case POSTED, ENDED_SHOWN -> AnalysisStanding.POSTED;
                case MAYBE_POSTED -> AnalysisStanding.MAYBE_POSTED;
                case FAILED -> AnalysisStanding.FAILED;
            };
        }
        if (desired.start() == null) {
            return AnalysisStanding.WAITING_FOR_START;
        }
        if (observed.addFailed()) {
            return AnalysisStanding.NO_CALL;
        }
        return switch (observed.block()) {
            case POSTED -> observed.thread().isPresent() ? AnalysisStanding.WAITING : AnalysisStanding.BLOCK_UNKNOWN;
            case FAILED -> AnalysisStanding.NO_BLOCK;
            case NO_CHANNEL -> AnalysisStanding.NO_CHANNEL;
            case PENDING -> desired.start().channel() == null ? AnalysisStanding.NO_CHANNEL : AnalysisStanding.WAITING;
        };
    }

    /** Where a call's analysis reply stands, with what an operator reads about it. */
    public enum AnalysisStanding {
        NONE("no call.analyzed received"),
        WAITING_FOR_START("held until call.started arrives"),
        WAITING("waiting for the call block and the operations before it"),
        SENDING("being posted"),
        POSTED("posted in the call block's thread"),
        MAYBE_POSTED("its post's answer was lost: it is looked for in the thread before it is posted again"),
        FAILED("Slack refused it"),
        NO_CALL("not posted: calls.add failed, so there is no call block to reply to"),
        NO_CHANNEL("not posted: the call has no channel (call.started named none and slack.default.channel is"
                + " not set), so there is no call block to reply to"),
        NO_BLOCK("not posted: Slack refused the call block, so there is no thread to reply in"),
        BLOCK_UNKNOWN("not posted: where the call block's message is was not kept (posted before the bridge"
                + " kept it, or found posted after its answer was lost), so there is no thread to reply in");

        private final String description;

        AnalysisStanding(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * The operation sent to Slack and not yet answered for good.
     *
     * @param attempts how many attempts the dispatcher reported, counting from 1
     * @param lastError the last transient error or rate limit the dispatcher reported
     * @param heardAt when the dispatcher last reported on it (or it was issued); {@code null} in states
     *     written before this field, until the sweeper first sees them
     */
    public record InFlight(CallOp op, int attempts, String lastError, Instant since, Instant heardAt) {

        public InFlight heard(Instant at) {
            return new InFlight(op, attempts, lastError, since, at);
        }
    }

    /** An operation Slack refused for good. */
    public record OpFailure(String opId, SlackMethod method, String error, Instant at) {}
}
