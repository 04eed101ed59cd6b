package dev.callbridge.dispatch;

import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackCallInfo;
import dev.callbridge.slack.SlackErrorCodes;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Decides what one Slack answer means for an operation: done, retry when, or dead-letter why.
 * Pure: no clock, no I/O; the random source only spreads retry delays.
 */
final class Dispositions {

    private static final Duration RATE_LIMITED_WITHOUT_RETRY_AFTER = Duration.ofSeconds(1);

    private final RetryPolicy policy;
    private final DoubleSupplier random;

    Dispositions(RetryPolicy policy, DoubleSupplier random) {
        this.policy = policy;
        this.random = random;
    }

    Disposition decide(CallOp op, Attempts attempts, SlackAnswer answer) {
        if (answer instanceof SlackAnswer.Ok ok) {
            return done(op, attempts, ok.slackCallId(), ok.messageTs(), null);
        }
        if (answer instanceof SlackAnswer.Info info) {
            SlackCallInfo.Found call = info.call();
            return new Disposition.Done(new OpResult.Inspected(op.opId(), op.externalUniqueId(), op.method(),
                    attempts.attempt(), call.slackCallId(), call.ended(), call.participants(), call.title(), call.joinUrl(),
                    call.desktopAppJoinUrl(), call.channels()));
        }
        if (answer instanceof SlackAnswer.RateLimited limited) {
            return rateLimited(op, attempts, limited.retryAfter());
        }
        if (answer instanceof SlackAnswer.HttpStatus http) {
            boolean transientStatus = http.status() >= 500 || http.status() == 408;
            String reason = "http_" + http.status();
            return transientStatus ? transientFailure(op, attempts, reason) : terminal(op, attempts, reason,
                    "Slack answered HTTP " + http.status());
        }
        if (answer instanceof SlackAnswer.NoAnswer none) {
            return transientFailure(op, attempts, "no_answer: " + none.reason());
        }
        String code = ((SlackAnswer.Error) answer).code();
        if ("ratelimited".equals(code)) {
            return rateLimited(op, attempts, RATE_LIMITED_WITHOUT_RETRY_AFTER);
        }
        return switch (SlackErrorCodes.kind(op.method(), code)) {
            case ALREADY_DONE, CALL_ENDED -> done(op, attempts, null, null, code);
            case TRANSIENT -> transientFailure(op, attempts, code);
            case TERMINAL -> terminal(op, attempts, code, refusal(op, code));
        };
    }

    private Disposition done(CallOp op, Attempts attempts, String slackCallId, String messageTs, String note) {
        return new Disposition.Done(new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(),
                attempts.attempt(), slackCallId, messageTs, note));
    }

    private Disposition rateLimited(CallOp op, Attempts attempts, Duration retryAfter) {
        if (attempts.rateLimited() + 1 >= policy.maxRateLimited()) {
            return exhausted(op, attempts, "ratelimited");
        }
        return new Disposition.Retry(retryAfter, attempts.afterRateLimit(), new OpResult.RateLimited(
                op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(), retryAfter));
    }

    private Disposition transientFailure(CallOp op, Attempts attempts, String reason) {
        int transientAttempts = attempts.attempt() - attempts.rateLimited();
        if (transientAttempts >= policy.maxAttempts()) {
            return exhausted(op, attempts, reason);
        }
        return new Disposition.Retry(policy.backoff(transientAttempts, random), attempts.afterFailure(),
                new OpResult.Retrying(op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(), reason));
    }

    private Disposition exhausted(CallOp op, Attempts attempts, String reason) {
        return new Disposition.DeadLetter(
                new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(), reason, true),
                "retries_exhausted", "gave up after " + attempts.attempt() + " attempts; last: " + reason);
    }

    /** Why an operation failed for good, for the dead letter's detail and the log. */
    private static String refusal(CallOp op, String code) {
        if (!SlackErrorCodes.NO_TOKEN.equals(code)) {
            return "Slack refused " + op.method().apiName() + ": " + code;
        }
        // Never sent: what the operator needs is the workspace that lacks a token.
        return op.teamId() == null
                ? "no default Slack token for an operation that names no workspace"
                : "no Slack token for workspace " + op.teamId() + "; the default token serves only the default workspace";
    }

    private Disposition terminal(CallOp op, Attempts attempts, String code, String detail) {
        return new Disposition.DeadLetter(
                new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(), code, false),
                code, detail);
    }
}
