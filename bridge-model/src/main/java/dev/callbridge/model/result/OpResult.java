package dev.callbridge.model.result;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.callbridge.model.op.SlackMethod;
import java.time.Duration;

/**
 * What became of one Slack operation, written by the dispatcher to {@code slack.call-results} and
 * matched by the reconciler to the operation in flight through {@code op_id}. {@link Succeeded} and
 * {@link Failed} are final; {@link RateLimited} and {@link Retrying} report that the dispatcher will
 * try again, so the operation stays in flight.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "outcome")
@JsonSubTypes({
    @JsonSubTypes.Type(value = OpResult.Succeeded.class, name = "succeeded"),
    @JsonSubTypes.Type(value = OpResult.RateLimited.class, name = "rate_limited"),
    @JsonSubTypes.Type(value = OpResult.Retrying.class, name = "retrying"),
    @JsonSubTypes.Type(value = OpResult.Failed.class, name = "failed")
})
public sealed interface OpResult {

    String opId();

    String externalUniqueId();

    SlackMethod method();

    /** Which attempt this result reports, counting from 1. */
    int attempt();

    /**
     * Slack accepted the operation.
     *
     * @param slackCallId the call id Slack assigned, for {@code calls.add}
     * @param messageTs the posted message's timestamp, for {@code chat.postMessage}
     * @param note a Slack error read as success, such as {@code inactive_call} on {@code calls.end}
     */
    record Succeeded(
            String opId,
            String externalUniqueId,
            SlackMethod method,
            int attempt,
            String slackCallId,
            String messageTs,
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
}
