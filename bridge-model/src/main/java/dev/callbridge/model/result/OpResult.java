package dev.callbridge.model.result;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import java.time.Duration;
import java.util.List;

/**
 * What became of one Slack operation, written by the dispatcher to {@code slack.call-results} and
 * matched by the reconciler to the operation in flight through {@code op_id}. {@link Succeeded} and
 * {@link Failed} are final; {@link RateLimited} and {@link Retrying} report that the dispatcher will
 * try again, so the operation stays in flight.
 *
 * <p>Two more kinds come from operators' tools rather than the dispatcher: {@link Redriven} asks the
 * reconciler to try again what a dead-lettered operation failed to do, and {@link Inspected} reports
 * what Slack's {@code calls.info} showed, so the reconciler can repair drift.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "outcome")
@JsonSubTypes({
    @JsonSubTypes.Type(value = OpResult.Succeeded.class, name = "succeeded"),
    @JsonSubTypes.Type(value = OpResult.RateLimited.class, name = "rate_limited"),
    @JsonSubTypes.Type(value = OpResult.Retrying.class, name = "retrying"),
    @JsonSubTypes.Type(value = OpResult.Failed.class, name = "failed"),
    @JsonSubTypes.Type(value = OpResult.Redriven.class, name = "redriven"),
    @JsonSubTypes.Type(value = OpResult.Inspected.class, name = "inspected"),
    @JsonSubTypes.Type(value = OpResult.Expired.class, name = "expired")
})
public sealed interface OpResult {

    /**
     * Header on a result record from the dispatcher: when it was written, in epoch milliseconds. The
     * record's timestamp is its operation's, so that results are read among the events of their time;
     * what the reconciler writes in answer to a result is stamped with this instead.
     */
    String WRITTEN_AT_HEADER = "result.written-at";

    String opId();

    String externalUniqueId();

    SlackMethod method();

    /** Which attempt this result reports, counting from 1. */
    int attempt();

    /**
     * Slack accepted the operation.
     *
     * @param slackCallId the call id Slack assigned, for {@code calls.add}
     * @param messageTs the message's timestamp, for {@code chat.postMessage} and {@code chat.update}
     * @param channel the conversation id of that message, as Slack answered it
     * @param note a Slack error read as success, such as {@code inactive_call} on {@code calls.end}, or
     *     {@code already_posted} for a message found posted after a lost answer
     */
    record Succeeded(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt,
            String slackCallId,
            String messageTs,
            String channel,
            String note) implements OpResult {}

    /** Slack answered 429; the dispatcher retries after {@code retry_after}. */
    record RateLimited(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt,
            Duration retryAfter) implements OpResult {}

    /** A transient failure (5xx, timeout, {@code internal_error}, …); the dispatcher retries with backoff. */
    record Retrying(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt,
            String error) implements OpResult {}

    /**
     * The operation will not be retried: Slack answered with a terminal error, or transient
     * failures outlasted the retry budget. The operation was dead-lettered.
     *
     * @param error Slack's error code, or the transport failure for exhausted retries
     * @param retriesExhausted true when the last error was transient but the attempts ran out
     */
    record Failed(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt,
            String error,
            boolean retriesExhausted) implements OpResult {}

    /**
     * An operator redrove a dead-lettered operation ({@code bridge redrive}). The operation is not sent
     * again as it was: the reconciler undoes what its failure settled and plans afresh, so the call
     * keeps one operation in flight and Slack's answer is recorded.
     *
     * @param op the dead-lettered operation
     * @param deadLetter where it was dead-lettered, {@code <topic>/<partition>/<offset>}
     */
    record Redriven(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt,
            CallOp op,
            String deadLetter) implements OpResult {

        public static Redriven of(CallOp op, String deadLetter) {
            return new Redriven(op.opId(), op.externalUniqueId(), op.method(), 0, op, deadLetter);
        }
    }

    /**
     * What Slack's {@code calls.info} showed for the call when an operator reconciled it
     * ({@code bridge reconcile --repair}). The reconciler takes it as the observed call, so the
     * operations that repair any drift follow.
     *
     * @param opId {@code <call>:inspect:<epoch millis>}, for logs only
     * @param ended whether Slack shows the call as ended
     * @param participants who Slack lists on the call
     * @param channels the conversations Slack shows the call in (a posted call block puts it there)
     */
    record Inspected(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt,
            String slackCallId,
            boolean ended,
            List<Participant> participants,
            String title,
            String joinUrl,
            String desktopAppJoinUrl,
            List<String> channels) implements OpResult {

        public Inspected {
            participants = participants == null ? List.of() : List.copyOf(participants);
            channels = channels == null ? List.of() : List.copyOf(channels);
        }
    }

    /**
     * The dispatcher did not send the operation: nothing was heard of it for longer than
     * {@code calls.op.timeout}, so the reconciler may already have planned another in its place.
     */
    record Expired(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt) implements OpResult {}
}
