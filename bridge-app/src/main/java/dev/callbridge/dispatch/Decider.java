package dev.callbridge.dispatch;

import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackCallInfo;
import dev.callbridge.slack.SlackErrorCodes;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * The dispatcher's decisions, apart from its I/O: what an operation's turn is ({@link #next}: let it
 * expire, park it, have it wait on the timer, announce it, check Slack first, or send it), and what
 * one Slack answer means ({@link #decide}: done, retry when, or dead-letter why), each with the meter
 * label and the log line that go with it. No clock and no I/O: time comes in as {@code now}, and the
 * rate limiter's buckets are in memory; the random source only spreads retry delays.
 */
final class Decider {

    static final String ALREADY_POSTED = "already_posted";
    private static final Duration RATE_LIMITED_WITHOUT_RETRY_AFTER = Duration.ofSeconds(1);

    private final RetryPolicy policy;
    private final DoubleSupplier random;
    private final Duration maxInlineWait;
    private final Duration requestTimeout;

    Decider(RetryPolicy policy, DoubleSupplier random, Duration maxInlineWait, Duration requestTimeout) {
        this.policy = policy;
        this.random = random;
        this.maxInlineWait = maxInlineWait;
        this.requestTimeout = requestTimeout;
    }

    /** An operation's turn. */
    sealed interface Step {}

    /** Not sent: the reconciler has likely planned anew already. */
    record Expire(OpResult.Expired result, String log) implements Step {}

    /**
     * Parked in a retry tier until {@code due}.
     *
     * @param report whether an interim result goes with it, renewing the reconciler's word on it
     */
    record Park(Instant due, boolean reserved, boolean report, OpResult interim) implements Step {}

    /** Due a moment from now: comes back on the timer at {@code due}, holding no worker meanwhile. */
    record Wait(Instant due, boolean reserved) implements Step {}

    /**
     * A repeat would show in Slack: a commit must name the operation before it goes. It holds its slot
     * ({@code due}, {@code reserved}) meanwhile.
     */
    record Announce(Instant due, boolean reserved) implements Step {}

    /**
     * A message that may already be posted: ask Slack before posting it, on the asking method's budget
     * ({@code calls.info} shows whether a call block is in a channel, {@code conversations.replies}
     * whether a reply is in the block's thread); the post then takes a slot of its own.
     */
    record Check(CallOp request) implements Step {}

    /** Send it now; {@code warning}, when set, is logged and counted as an uncertain {@code calls.add}. */
    record Send(String warning) implements Step {}

    Step next(Work work, Instant now, RateLimiter limiter) {
        CallOp op = work.op();
        if (isExpired(work, now)) {
            return new Expire(new OpResult.Expired(op.opId(), op.externalUniqueId(), op.method(), work.attempts().attempt()),
                    "Did not send " + op.method().apiName() + " for call " + op.externalUniqueId()
                            + ": nothing was reported of it for " + Duration.between(work.silence().lastWord(), now)
                            + "; the reconciler plans anew");
        }
        if (work.due() != null && Duration.between(now, work.due()).compareTo(maxInlineWait) > 0) {
            // Handed back by a tier before its time is up: the rest of the wait goes to a shorter tier.
            return park(work, work.due(), work.reserved(), now);
        }
        if (work.due() != null && work.due().isAfter(now)) {
            return new Wait(work.due(), work.reserved());
        }
        // A message that may be up is checked first: the check is paced as its own method, the post after it as a post.
        CallOp check = work.checked() ? null : checkBefore(op, work.uncertain());
        boolean checking = check != null;
        SlackMethod paced = checking ? check.method() : op.method();
        Instant slot = work.due();
        boolean reserved = work.reserved();
        if (!reserved || !limiter.isOpen(op.teamId(), paced, now)) {
            slot = limiter.reserve(op.teamId(), paced, now);
            reserved = true;
            Duration wait = Duration.between(now, slot);
            if (wait.compareTo(maxInlineWait) > 0) {
                return park(work, slot, true, now);
            }
            if (!wait.isNegative() && !wait.isZero()) {
                return new Wait(slot, true);
            }
        }
        if (checking) {
            return new Check(check);
        }
        if (work.repeatShows() && !work.announced()) {
            return new Announce(slot, reserved);
        }
        if (op instanceof CallOp.AddCall && work.uncertain()) {
            return new Send("calls.add for call " + op.externalUniqueId() + " may already have reached Slack (attempt "
                    + work.attempts().attempt() + ", after one whose answer was lost); sending it again: Slack may "
                    + "now hold a second call for it, which the bridge never posts");
        }
        return new Send(null);
    }

    /**
     * What to ask Slack before sending {@code op}, or {@code null} to send it straight away: a call block
     * or thread reply that may already be posted is looked for first. A thread reply whose earlier
     * operation was recovered says so itself ({@code look_first}): its attempt is new, its post may not be.
     */
    private static CallOp checkBefore(CallOp op, boolean uncertain) {
        if (op instanceof CallOp.PostCallBlock post && uncertain) {
            return new CallOp.InspectCall(post.opId(), post.externalUniqueId(), post.teamId(), post.slackCallId());
        }
        if (op instanceof CallOp.ThreadPost post && (uncertain || post.lookFirst())) {
            return CallOp.FindReply.before(post);
        }
        return null;
    }

    /**
     * Whether the reconciler may already have given the operation up: nothing was reported of it for
     * nearly its timeout. The margin covers one request and the reconciler's sweep, so an operation sent
     * now is answered before the reconciler plans another in its place.
     */
    private boolean isExpired(Work work, Instant now) {
        DispatchHeaders.Silence silence = work.silence();
        if (silence == null) {
            return false;
        }
        Duration margin = requestTimeout.plus(silence.timeout().dividedBy(10));
        return now.isAfter(silence.lastWord().plus(silence.timeout()).minus(margin));
    }

    /**
     * Parks the operation until {@code due}, and tells the reconciler it is waiting once a third of its
     * timeout has passed without word, so a long wait for budget never looks like a lost operation and a
     * short one costs no extra record.
     */
    private Park park(Work work, Instant due, boolean reserved, Instant now) {
        DispatchHeaders.Silence silence = work.silence();
        if (silence != null && Duration.between(silence.lastWord(), now).compareTo(silence.timeout().dividedBy(3)) < 0) {
            return new Park(due, reserved, false, null);
        }
        CallOp op = work.op();
        Duration wait = Duration.between(now, due);
        // The bridge's own budget is a rate limit too: reported as one, with the time left to wait.
        return new Park(due, reserved, true, new OpResult.RateLimited(op.opId(), op.externalUniqueId(), op.method(),
                work.attempts().attempt(), wait.isNegative() ? Duration.ZERO : wait));
    }

    /** What Slack's answer to the operation means. */
    Disposition decide(CallOp op, Attempts attempts, SlackAnswer answer) {
        if (answer instanceof SlackAnswer.Ok ok) {
            return done(op, attempts, ok.slackCallId(), ok.messageTs(), ok.channel(), null);
        }
        if (answer instanceof SlackAnswer.Info info) {
            SlackCallInfo.Found call = info.call();
            return new Disposition.Done(new OpResult.Inspected(op.opId(), op.externalUniqueId(), op.method(),
                    attempts.attempt(), call.slackCallId(), call.ended(), call.participants(), call.title(), call.joinUrl(),
                    call.desktopAppJoinUrl(), call.channels()), "ok", null);
        }
        if (answer instanceof SlackAnswer.RateLimited limited) {
            return rateLimited(op, attempts, limited.retryAfter(), "429, Retry-After " + limited.retryAfter().toSeconds() + "s");
        }
        if (answer instanceof SlackAnswer.HttpStatus http) {
            boolean transientStatus = http.status() >= 500 || http.status() == 408;
            String reason = "http_" + http.status();
            return transientStatus ? transientFailure(op, attempts, reason, "HTTP " + http.status(), true)
                    : terminal(op, attempts, reason, "Slack answered HTTP " + http.status());
        }
        if (answer instanceof SlackAnswer.NoAnswer none) {
            return transientFailure(op, attempts, "no_answer: " + none.reason(), none.reason(), true);
        }
        String code = ((SlackAnswer.Error) answer).code();
        if ("ratelimited".equals(code)) {
            return rateLimited(op, attempts, RATE_LIMITED_WITHOUT_RETRY_AFTER, code);
        }
        String undocumented = SlackErrorCodes.isKnown(code) ? "" : " (undocumented: taken as terminal)";
        return switch (SlackErrorCodes.kind(op.method(), code)) {
            case ALREADY_DONE, CALL_ENDED -> done(op, attempts, null, null, null, code);
            case TRANSIENT -> transientFailure(op, attempts, code, code, false);
            case TERMINAL -> terminal(op, attempts, code, refusal(op, code) + undocumented);
        };
    }

    /**
     * What Slack's answer to the check before an uncertain message means: posted already (done), post
     * now, or ask again later. A check Slack refuses for good (no {@code calls:read} or history scope,
     * say) lets the post go, and so does one that ran out of retries: a message shown twice is better
     * than none.
     */
    Disposition checked(CallOp post, Attempts attempts, SlackAnswer answer) {
        if (post instanceof CallOp.PostCallBlock block && answer instanceof SlackAnswer.Info info) {
            if (!info.call().channels().isEmpty()) {
                return new Disposition.Done(new OpResult.Succeeded(block.opId(), block.externalUniqueId(),
                        block.method(), attempts.attempt(), block.slackCallId(), null, null, ALREADY_POSTED),
                        ALREADY_POSTED, "Did not post call " + block.externalUniqueId()
                                + " again: Slack already shows it in " + String.join(", ", info.call().channels()));
            }
            return new Disposition.Proceed("not_posted", null);
        }
        if (post instanceof CallOp.ThreadPost reply && answer instanceof SlackAnswer.ThreadRead read) {
            if (read.replyTs() != null) {
                return new Disposition.Done(new OpResult.Succeeded(reply.opId(), reply.externalUniqueId(),
                        reply.method(), attempts.attempt(), null, read.replyTs(), reply.channel(), ALREADY_POSTED),
                        ALREADY_POSTED, "Did not post the " + reply.reply().wireName() + " of call "
                                + reply.externalUniqueId() + " again: it is in the call block's thread as "
                                + read.replyTs());
            }
            return new Disposition.Proceed("not_posted", null);
        }
        Disposition asked = decide(post, attempts, answer);
        if (asked instanceof Disposition.DeadLetter refused) {
            String what = post instanceof CallOp.ThreadPost reply
                    ? "the " + reply.reply().wireName() + " of call " + post.externalUniqueId() + " is already in"
                            + " its thread (conversations.replies: "
                    : "call " + post.externalUniqueId() + " is already posted (calls.info: ";
            return new Disposition.Proceed("check_refused", "Could not check whether " + what + refused.detail()
                    + "); posting it");
        }
        if (asked instanceof Disposition.Retry retry) {
            // Still unknown whether the block is up: the post stays uncertain, whatever the check's answer.
            return new Disposition.Retry(retry.delay(), retry.next(), retry.interim(), true, retry.outcome(), retry.log());
        }
        return asked;
    }

    private Disposition done(CallOp op, Attempts attempts, String slackCallId, String messageTs, String channel,
            String note) {
        return new Disposition.Done(new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(),
                attempts.attempt(), slackCallId, messageTs, channel, note), note == null ? "ok" : "already_done", null);
    }

    private Disposition rateLimited(CallOp op, Attempts attempts, Duration retryAfter, String answer) {
        if (attempts.rateLimited() + 1 >= policy.maxRateLimited()) {
            return exhausted(op, attempts, "ratelimited", "rate_limited");
        }
        return new Disposition.Retry(retryAfter, attempts.afterRateLimit(), new OpResult.RateLimited(
                op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(), retryAfter), false, "rate_limited",
                retrying(op, attempts, retryAfter, answer));
    }

    private Disposition transientFailure(CallOp op, Attempts attempts, String reason, String answer, boolean uncertain) {
        int transientAttempts = attempts.attempt() - attempts.rateLimited();
        if (transientAttempts >= policy.maxAttempts()) {
            return exhausted(op, attempts, reason, "transient");
        }
        Duration delay = policy.backoff(transientAttempts, random);
        return new Disposition.Retry(delay, attempts.afterFailure(),
                new OpResult.Retrying(op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(), reason),
                uncertain, "transient", retrying(op, attempts, delay, answer));
    }

    private static String retrying(CallOp op, Attempts attempts, Duration delay, String answer) {
        return "Retrying " + op.method().apiName() + " for call " + op.externalUniqueId() + " in " + delay
                + " (attempt " + attempts.attempt() + "): " + answer;
    }

    private Disposition exhausted(CallOp op, Attempts attempts, String reason, String outcome) {
        OpResult.Failed failed = new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(),
                reason, true);
        String detail = "gave up after " + attempts.attempt() + " attempts; last: " + reason;
        return new Disposition.DeadLetter(failed, "retries_exhausted", detail, outcome,
                deadLettered(op, "retries_exhausted", detail));
    }

    private Disposition terminal(CallOp op, Attempts attempts, String code, String detail) {
        return new Disposition.DeadLetter(
                new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempts.attempt(), code, false),
                code, detail, "terminal", deadLettered(op, code, detail));
    }

    private static String deadLettered(CallOp op, String reason, String detail) {
        return "Dead-lettered " + op.method().apiName() + " for call " + op.externalUniqueId() + " in workspace "
                + (op.teamId() == null ? "(default)" : op.teamId()) + ": " + reason + " (" + detail + ")";
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
}
