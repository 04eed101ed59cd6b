package dev.callbridge.slack;

import java.time.Duration;

/** What came back from one Slack request, before anyone decides what it means. */
public sealed interface SlackAnswer {

    /**
     * Slack answered {@code ok: true}.
     *
     * @param slackCallId the call's id, for {@code calls.add}
     * @param messageTs the message's timestamp, for {@code chat.postMessage} and {@code chat.update}
     * @param channel the message's conversation id, for the same
     */
    record Ok(String slackCallId, String messageTs, String channel) implements SlackAnswer {}

    /**
     * Slack answered {@code conversations.replies} to the end of the thread.
     *
     * @param replyTs the timestamp of the bridge's reply of the kind looked for, or {@code null} when the
     *     thread holds none
     */
    record ThreadRead(String replyTs) implements SlackAnswer {}

    /** Slack answered {@code calls.info} with the call as it shows it. */
    record Info(SlackCallInfo.Found call) implements SlackAnswer {}

    /** Slack answered {@code ok: false} with an error code. */
    record Error(String code) implements SlackAnswer {}

    /** HTTP 429; {@code retryAfter} from the {@code Retry-After} header. */
    record RateLimited(Duration retryAfter) implements SlackAnswer {}

    /** Another HTTP status than 200 or 429, such as a 5xx from Slack's edge. */
    record HttpStatus(int status) implements SlackAnswer {}

    /** No answer: a timeout, a refused or dropped connection. */
    record NoAnswer(String reason) implements SlackAnswer {}
}
