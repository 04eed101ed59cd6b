package dev.callbridge.reconcile;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.EventOrder;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.op.ThreadReply;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.CallState.InFlight;
import dev.callbridge.model.state.CallState.OpFailure;
import dev.callbridge.model.state.DesiredCall;
import dev.callbridge.model.state.DesiredCall.Presence;
import dev.callbridge.model.state.DesiredCall.Versioned;
import dev.callbridge.model.state.ObservedCall;
import dev.callbridge.model.state.ObservedCall.BlockStatus;
import dev.callbridge.model.state.ObservedCall.ReplyStatus;
import dev.callbridge.reconcile.Decision.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The bridge's functional core: given a call's state and one input, the call's next state and the
 * Slack operation to send, if any. No I/O and no Kafka; the wall clock comes in as {@code now}.
 *
 * <p>Events only change the desired call; Slack's answers only change the observed call; the one
 * operation in flight is always the next step from observed toward desired. Changes that arrive
 * while an operation is in flight therefore go out together, as a net difference, once it is answered.
 */
public final class Reconciler {

    /** Slack's answer when the call has ended: the call is over in Slack, whatever the operation was. */
    static final String CALL_ENDED = "inactive_call";
    /** The reason of a {@code call.ended} that gave none. */
    static final String DEFAULT_END_REASON = "call ended";
    /** Refusals about the people in a request, not about the call: those people are set aside. */
    private static final Set<String> PERSON_LEVEL_ERRORS = Set.of("user_not_found", "bad_users");
    /**
     * Refusals about the call or the app, not about anyone in the request: its people are held back, not
     * refused. Any other refusal of a batch is taken as about someone in it, and its people are offered alone.
     */
    private static final Set<String> CALL_LEVEL_ERRORS = Set.of("invalid_auth", "not_authed", "account_inactive",
            "token_revoked", "token_expired", "no_permission", "missing_scope", "not_allowed_token_type",
            "team_access_not_granted", "access_denied", "accesslimited", "ekm_access_denied",
            "enterprise_is_restricted", "two_factor_setup_required", "not_authorized", "no_token_configured", "app_uninstalled",
            "invalid_call_id");

    private static final Comparator<DesiredCall.End> TIED_ENDS = Comparator
            .comparing(DesiredCall.End::duration, Comparator.nullsLast(Comparator.<Long>naturalOrder()))
            .thenComparing(DesiredCall.End::reason);

    private final ReconcilerSettings settings;

    public Reconciler(ReconcilerSettings settings) {
        this.settings = settings;
    }

    public Decision apply(CallState state, CallInput input, Instant now) {
        return apply(state, input, now, false);
    }

    /**
     * Takes one input; with {@code holdAdd}, an event that would have the call added to Slack leaves it
     * unplanned instead, unless it ended the call (see {@link #release}).
     */
    public Decision apply(CallState state, CallInput input, Instant now, boolean holdAdd) {
        if (input instanceof CallInput.Event e) {
            return onEvent(state, e.event(), now, holdAdd);
        }
        return onResult(state, ((CallInput.Result) input).result(), now);
    }

    /** Takes a provider event for the call; {@code state} is {@code null} for a call not seen before. */
    public Decision onEvent(CallState state, CallEvent event, Instant now) {
        return onEvent(state, event, now, false);
    }

    /**
     * Plans the next operation of a call that has none in flight: a {@code calls.add} held back by
     * {@link #apply(CallState, CallInput, Instant, boolean)}, or one lost with an aborted task.
     */
    public Decision release(CallState state, Instant now) {
        Optional<CallOp> op = NextOp.plan(state, settings);
        return op.map(o -> new Decision(state.withIssued(o, now), List.of(o), Outcome.RELEASED, true))
                .orElseGet(() -> Decision.unchanged(state, Outcome.NOTHING_TO_DO));
    }

    /** Whether the call waits for its {@code calls.add} to be planned: started, not in Slack, nothing in flight. */
    public static boolean awaitsAdd(CallState state) {
        return state != null && state.inFlight() == null && state.desired().start() != null
                && !state.observed().added() && !state.observed().addFailed();
    }

    private Decision onEvent(CallState state, CallEvent event, Instant now, boolean holdAdd) {
        CallState current = state != null ? state : CallState.fresh(event.subject(), now);
        if (current.seenEvents().contains(event.dedupeKey())) {
            return Decision.unchanged(state, Outcome.DUPLICATE);
        }
        List<String> seen = remember(current.seenEvents(), event.dedupeKey());
        boolean analysis = event.data() instanceof CallEventData.Analyzed;
        // Once Slack has the call ended nothing reopens it; only its analysis still has a reply to post.
        if ((current.observed().ended() && !analysis) || (analysis && analysisSettled(current))) {
            return new Decision(current.withSeen(seen, current.lastActivityAt()), List.of(), Outcome.IGNORED_LATE, true);
        }
        // After calls.add failed for good nothing is planned, but the desired call keeps following the
        // events, so a redrive adds the call as it stands by then.
        DesiredCall desired = current.desired();
        DesiredCall next = desire(desired, event);
        Outcome outcome = next.equals(desired) ? Outcome.IGNORED_LATE : Outcome.APPLIED;
        CallState applied = current.withDesired(next).withSeen(seen, now);
        if (holdAdd && next.end() == null && awaitsAdd(applied)) {
            // Its later events are read soon: calls.add then carries them, instead of a request each.
            return new Decision(applied, List.of(), outcome, true);
        }
        return advance(applied, now, outcome);
    }

    /**
     * Whether the call's analysis reply is decided: posted, being posted, possibly posted or refused. A
     * later analysis then changes nothing, so the view keeps the analysis that was sent.
     */
    private static boolean analysisSettled(CallState state) {
        return state.observed().analysisReply() != null
                || (state.inFlight() != null && state.inFlight().op() instanceof CallOp.PostAnalysis);
    }

    /** Takes the dispatcher's result for an operation of the call. */
    public Decision onResult(CallState state, OpResult result, Instant now) {
        if (state == null) {
            return Decision.unchanged(null, Outcome.UNKNOWN_CALL);
        }
        if (result instanceof OpResult.Redriven redriven) {
            return onRedrive(state, redriven, now);
        }
        InFlight inFlight = state.inFlight();
        boolean matches = inFlight != null && inFlight.op().opId().equals(result.opId());
        if (result instanceof OpResult.Inspected inspected) {
            return matches ? onOwnInspection(state, inspected, now) : onInspection(state, inspected, now);
        }
        if (!matches) {
            return Decision.unchanged(state, Outcome.STALE_RESULT);
        }
        CallOp op = inFlight.op();
        if (result instanceof OpResult.Expired) {
            return recover(state, now, "expired unsent");
        }
        if (result instanceof OpResult.Succeeded ok && CALL_ENDED.equals(ok.note()) && !(op instanceof CallOp.EndCall)) {
            // Slack says the call has ended: nothing more can be shown on it, and nothing needs to be.
            return advance(state.withObserved(state.observed().withEnded(true, state.observed().duration()))
                            .withInFlight(null)
                            .withLastFailure(new OpFailure(op.opId(), op.method(), CALL_ENDED, now)),
                    now, Outcome.RESULT_APPLIED);
        }
        if (result instanceof OpResult.Succeeded ok) {
            return advance(state.withObserved(succeeded(state.observed(), op, ok)).withInFlight(null), now,
                    Outcome.RESULT_APPLIED);
        }
        if (result instanceof OpResult.Failed failed) {
            return advance(state.withObserved(gaveUp(state.observed(), op, failed))
                            .withInFlight(null)
                            .withLastFailure(new OpFailure(op.opId(), op.method(), failed.error(), now)),
                    now, Outcome.RESULT_APPLIED);
        }
        String lastError = result instanceof OpResult.RateLimited limited
                ? "ratelimited, retry after " + limited.retryAfter()
                : ((OpResult.Retrying) result).error();
        // The dispatcher is retrying: the operation stays in flight and later changes keep accumulating.
        return new Decision(state.withInFlight(new InFlight(op, result.attempt(), lastError, inFlight.since(), now)),
                List.of(), Outcome.RESULT_APPLIED, true);
    }

    /**
     * The operation in flight will not be answered: its result was lost or unreadable, it was never
     * sent, or it was dead-lettered unanswered. Where Slack already knows the call, the bridge asks
     * Slack what it shows ({@code calls.info}) rather than repeat a request that may have worked (a
     * second call block, say); a call Slack does not know yet is added again, under a new op id.
     */
    private Decision recover(CallState state, Instant now, String why) {
        CallOp lost = state.inFlight().op();
        CallState cleared = state.withInFlight(null)
                .withLastFailure(new OpFailure(lost.opId(), lost.method(), "no_answer: " + why, now));
        if (lost instanceof CallOp.ThreadPost post) {
            // calls.info knows nothing of the thread: the next post looks for this one there first.
            return advance(cleared.withObserved(withReply(cleared.observed(), post.reply(),
                    new ObservedCall.Reply(ReplyStatus.MAYBE_POSTED, null, null))), now, Outcome.RECOVERED);
        }
        if (!state.observed().added() || lost instanceof CallOp.ShowCallEnded) {
            // Not in Slack yet, or an update that shows the same when sent again.
            return advance(cleared, now, Outcome.RECOVERED);
        }
        CallOp.InspectCall inspect = new CallOp.InspectCall(cleared.nextOpId(SlackMethod.CALLS_INFO),
                state.externalUniqueId(), lost.teamId(), state.observed().slackCallId());
        return new Decision(cleared.withIssued(inspect, now), List.of(inspect), Outcome.RECOVERED, true);
    }

    /** Slack's answer to the bridge's own {@code calls.info}: the observed call, and the plan goes on from it. */
    private Decision onOwnInspection(CallState state, OpResult.Inspected inspected, Instant now) {
        ObservedCall seen = observedAs(state.observed(), inspected);
        if (seen.block() == BlockStatus.PENDING && !inspected.channels().isEmpty()) {
            // A call shown in a channel has its block posted: a lost chat.postMessage answer is not posted twice.
            seen = seen.withBlock(BlockStatus.POSTED);
        }
        return advance(state.withObserved(seen).withInFlight(null), now, Outcome.INSPECTED);
    }

    /**
     * An operator redrove a dead-lettered operation: what its failure settled is undone, and the next
     * operation is planned afresh. Another operation in flight stays in flight; the plan follows its
     * answer. The operation in flight itself, dead-lettered unanswered, is recovered.
     */
    private Decision onRedrive(CallState state, OpResult.Redriven redriven, Instant now) {
        if (state.inFlight() != null && state.inFlight().op().opId().equals(redriven.opId())) {
            return recover(state, now, "redriven from " + redriven.deadLetter());
        }
        ObservedCall undone = undoFailure(state.observed(), redriven.op());
        if (undone.equals(state.observed())) {
            return Decision.unchanged(state, Outcome.NOTHING_TO_DO);
        }
        OpFailure lastFailure = state.lastFailure();
        CallState next = state.withObserved(undone).withLastFailure(
                lastFailure != null && lastFailure.opId().equals(redriven.opId()) ? null : lastFailure);
        return advance(next, now, Outcome.REDRIVEN);
    }

    /**
     * What Slack's {@code calls.info} showed becomes the observed call, so drift between Slack and the
     * bridge is repaired by the operations that follow. Refused while an operation is in flight, whose
     * answer would be measured against a state it did not see.
     */
    private Decision onInspection(CallState state, OpResult.Inspected inspected, Instant now) {
        ObservedCall observed = state.observed();
        if (!observed.added() || !observed.slackCallId().equals(inspected.slackCallId())) {
            return Decision.unchanged(state, Outcome.STALE_RESULT);
        }
        if (state.inFlight() != null) {
            return Decision.unchanged(state, Outcome.BUSY);
        }
        return advance(state.withObserved(observedAs(observed, inspected)), now, Outcome.INSPECTED);
    }

    /** The observed call as {@code calls.info} showed it. */
    private static ObservedCall observedAs(ObservedCall observed, OpResult.Inspected inspected) {
        TreeMap<String, Participant> shown = new TreeMap<>();
        inspected.participants().forEach(p -> shown.put(p.key(), p));
        TreeSet<String> rejected = new TreeSet<>(observed.rejected());
        rejected.removeAll(shown.keySet());
        return observed.withParticipants(shown)
                .withRefusals(rejected, observed.isolated(), observed.deferred(), observed.refusals())
                .withDetails(inspected.title(), inspected.joinUrl(), inspected.desktopAppJoinUrl())
                .withEnded(inspected.ended(), inspected.ended() ? observed.duration() : null);
    }

    /**
     * The stale-call sweeper's decision for one stored call: end a call silent for
     * {@link ReconcilerSettings#staleAfter()}, forget a finished call past its retention, forget
     * the held events of a call that never started, and recover an operation not heard of for
     * {@link ReconcilerSettings#opTimeout()}. A stale call with an operation in flight is given its
     * end, which goes out once that operation is answered or recovered.
     */
    public Decision onSweep(CallState state, Instant now) {
        if (state.inFlight() != null && state.inFlight().heardAt() == null) {
            // Issued before operations carried their timeout, so the dispatcher may still send it: its
            // silence is counted from now, not from when it was issued.
            return new Decision(state.withInFlight(state.inFlight().heard(now)), List.of(), Outcome.NOTHING_TO_DO, true);
        }
        if (state.inFlight() != null && state.inFlight().heardAt().plus(settings.opTimeout()).isBefore(now)) {
            Decision recovered = recover(state, now, "nothing heard for " + settings.opTimeout());
            Decision swept = onSweep(recovered.state(), now);
            return swept.stateChanged()
                    ? new Decision(swept.state(), recovered.ops(), Outcome.RECOVERED, true)
                    : recovered;
        }
        Instant idleSince = state.lastActivityAt();
        boolean finished = state.observed().ended() || state.observed().addFailed();
        if (finished) {
            return state.inFlight() == null && idleSince.plus(settings.endedRetention()).isBefore(now)
                    ? new Decision(null, List.of(), Outcome.FORGOTTEN, true)
                    : Decision.unchanged(state, Outcome.NOTHING_TO_DO);
        }
        if (!idleSince.plus(settings.staleAfter()).isBefore(now)) {
            return Decision.unchanged(state, Outcome.NOTHING_TO_DO);
        }
        DesiredCall desired = state.desired();
        if (desired.start() == null) {
            return new Decision(null, List.of(), Outcome.FORGOTTEN, true);
        }
        if (desired.end() != null) {
            // Already ending: its calls.end is queued behind the operation in flight.
            return Decision.unchanged(state, Outcome.NOTHING_TO_DO);
        }
        Instant lastKnown = desired.lastEventTime() != null
                ? desired.lastEventTime()
                : Instant.ofEpochSecond(desired.start().dateStart());
        DesiredCall.End end = new DesiredCall.End(null, lastKnown,
                "no event for " + settings.staleAfter() + "; ended by the stale-call sweeper", true,
                new EventOrder(Long.MAX_VALUE, Instant.MAX));
        return advance(state.withDesired(withEnd(desired, end)), now, Outcome.SWEPT);
    }

    private Decision advance(CallState state, Instant now, Outcome outcome) {
        Optional<CallOp> op = NextOp.plan(state, settings);
        return op.map(o -> new Decision(state.withIssued(o, now), List.of(o), outcome, true))
                .orElseGet(() -> new Decision(state, List.of(), outcome, true));
    }

    private List<String> remember(List<String> seen, String key) {
        List<String> next = new ArrayList<>(seen.size() + 1);
        int drop = Math.max(0, seen.size() + 1 - settings.dedupeWindow());
        next.addAll(seen.subList(drop, seen.size()));
        next.add(key);
        return next;
    }

    private DesiredCall desire(DesiredCall desired, CallEvent event) {
        EventOrder order = event.order();
        Instant lastEventTime = desired.lastEventTime() == null || event.time().isAfter(desired.lastEventTime())
                ? event.time()
                : desired.lastEventTime();
        CallEventData data = event.data();
        if (data instanceof CallEventData.Analyzed analyzed) {
            // An analysis comes after the call: it says nothing of when the call was last active.
            DesiredCall.Analysis candidate = new DesiredCall.Analysis(analyzed.summary(), analyzed.sentiment(),
                    analyzed.recordingUrl(), analyzed.transcriptUrl(), order, event.dedupeKey());
            return desired.analysis() == null || desired.analysis().isOlderThan(candidate)
                    ? desired.withAnalysis(candidate) : desired;
        }
        if (data instanceof CallEventData.Started started) {
            return started(desired, event, started, lastEventTime);
        }
        if (data instanceof CallEventData.Ended ended) {
            DesiredCall.End end = new DesiredCall.End(ended.duration(), event.time(),
                    ended.disconnectReason() != null ? ended.disconnectReason() : DEFAULT_END_REASON, false, order);
            DesiredCall known = new DesiredCall(desired.start(), desired.title(), desired.joinUrl(),
                    desired.desktopAppJoinUrl(), desired.participants(), desired.end(), lastEventTime,
                    desired.analysis());
            return endsSooner(end, desired.end()) ? withEnd(known, end) : known;
        }
        if (data instanceof CallEventData.Joined joined) {
            return present(desired, joined.participant(), +1, order, lastEventTime);
        }
        if (data instanceof CallEventData.Left left) {
            return present(desired, left.participant(), -1, order, lastEventTime);
        }
        if (desired.end() != null && order.isAfter(desired.end().order())) {
            return desired;
        }
        CallEventData.Updated updated = (CallEventData.Updated) data;
        return new DesiredCall(
                desired.start(),
                newer(desired.title(), updated.title(), order),
                newer(desired.joinUrl(), updated.joinUrl(), order),
                newer(desired.desktopAppJoinUrl(), updated.desktopAppJoinUrl(), order),
                desired.participants(), desired.end(), lastEventTime, desired.analysis());
    }

    /**
     * Whether {@code candidate} is the call's end rather than {@code known}: the earliest end in event
     * order, and of two tied ends a fixed choice, so two differing {@code call.ended} give one answer.
     */
    private static boolean endsSooner(DesiredCall.End candidate, DesiredCall.End known) {
        if (known == null) {
            return true;
        }
        int cmp = candidate.order().compareTo(known.order());
        if (cmp != 0) {
            return cmp < 0;
        }
        return TIED_ENDS.compare(candidate, known) < 0;
    }

    private DesiredCall started(DesiredCall desired, CallEvent event, CallEventData.Started data, Instant lastEventTime) {
        EventOrder order = event.order();
        DesiredCall.Start start = desired.start() != null ? desired.start() : new DesiredCall.Start(
                data.externalDisplayId(),
                data.createdBy() != null ? data.createdBy() : settings.defaultCreatedBy(),
                data.dateStart() != null ? data.dateStart() : event.time().getEpochSecond(),
                data.channel() != null ? data.channel() : settings.defaultChannel(),
                data.teamId() != null ? data.teamId() : settings.defaultTeamId(),
                order,
                event.source());
        TreeMap<String, Presence> participants = new TreeMap<>(desired.participants());
        for (Participant participant : data.participants()) {
            mark(participants, participant, +1, order, desired.end());
        }
        return new DesiredCall(
                start,
                newer(desired.title(), data.title(), order),
                newer(desired.joinUrl(), data.joinUrl(), order),
                newer(desired.desktopAppJoinUrl(), data.desktopAppJoinUrl(), order),
                participants, desired.end(), lastEventTime, desired.analysis());
    }

    private static DesiredCall present(DesiredCall desired, Participant participant, int delta, EventOrder order,
            Instant lastEventTime) {
        TreeMap<String, Presence> participants = new TreeMap<>(desired.participants());
        mark(participants, participant, delta, order, desired.end());
        return new DesiredCall(desired.start(), desired.title(), desired.joinUrl(), desired.desktopAppJoinUrl(),
                participants, desired.end(), lastEventTime, desired.analysis());
    }

    /** Counts one join ({@code +1}) or leave ({@code -1}); the presence shown is the one as of the end. */
    private static void mark(TreeMap<String, Presence> participants, Participant participant, int delta,
            EventOrder order, DesiredCall.End end) {
        Presence known = participants.getOrDefault(participant.key(), Presence.unknown(participant));
        participants.put(participant.key(), known.after(participant, delta, order, end == null ? null : end.order()));
    }

    private static Versioned newer(Versioned known, String value, EventOrder order) {
        if (known == null) {
            return value == null ? null : new Versioned(value, order);
        }
        return known.after(value, order);
    }

    /** The call with {@code end}; each presence is taken as of that end, so later leaves and joins do not count. */
    static DesiredCall withEnd(DesiredCall desired, DesiredCall.End end) {
        TreeMap<String, Presence> participants = new TreeMap<>();
        desired.participants().forEach((key, presence) -> participants.put(key, presence.until(end.order())));
        return new DesiredCall(desired.start(), desired.title(), desired.joinUrl(), desired.desktopAppJoinUrl(),
                participants, end, desired.lastEventTime(), desired.analysis());
    }

    private static ObservedCall succeeded(ObservedCall observed, CallOp op, OpResult.Succeeded ok) {
        // Any success shows the call is reachable again: people deferred by a failure about the call are
        // offered again.
        ObservedCall reachable = observed.deferred().isEmpty() ? observed
                : observed.withRefusals(observed.rejected(), observed.isolated(), new TreeSet<>(),
                        without(observed.refusals(), observed.deferred()));
        if (op instanceof CallOp.AddCall add) {
            TreeMap<String, Participant> shown = new TreeMap<>();
            add.users().forEach(p -> shown.put(p.key(), p));
            return reachable.withAdded(ok.slackCallId(), shown, add.title(), add.joinUrl(), add.desktopAppJoinUrl());
        }
        if (op instanceof CallOp.PostCallBlock post) {
            // A block found posted after a lost answer comes without its ts: its thread is not known.
            return reachable.withBlockPosted(ok.messageTs() == null ? null
                    : new ObservedCall.BlockMessage(ok.channel() != null ? ok.channel() : post.channel(), ok.messageTs()));
        }
        if (op instanceof CallOp.ThreadPost post) {
            return withReply(reachable, post.reply(), ObservedCall.Reply.posted(ok.messageTs()));
        }
        if (op instanceof CallOp.ShowCallEnded shown) {
            return reachable.withEndCallControl(new ObservedCall.Reply(ReplyStatus.ENDED_SHOWN, shown.ts(), null));
        }
        if (op instanceof CallOp.AddParticipants added) {
            List<String> keys = keys(added.users());
            TreeMap<String, Participant> shown = new TreeMap<>(reachable.participants());
            added.users().forEach(p -> shown.put(p.key(), p));
            TreeSet<String> isolated = new TreeSet<>(reachable.isolated());
            isolated.removeAll(keys);
            return reachable.withParticipants(shown).withRefusals(reachable.rejected(), isolated,
                    reachable.deferred(), without(reachable.refusals(), keys));
        }
        if (op instanceof CallOp.RemoveParticipants removed) {
            return withoutParticipants(reachable, removed.users());
        }
        if (op instanceof CallOp.UpdateCall update) {
            return reachable.withDetails(update.title(), update.joinUrl(), update.desktopAppJoinUrl());
        }
        if (op instanceof CallOp.EndCall end) {
            return reachable.withEnded(true, end.duration());
        }
        // calls.info is answered with an inspection, not a success: nothing to learn from one.
        return reachable;
    }

    /**
     * What the bridge accepts as Slack's state after an operation failed for good, so it never loops on
     * it. A refusal about people (an unknown user) sets those people aside and lets the call go on
     * without them; a refusal about the call (auth, scopes, retries run out) rejects nobody for good.
     */
    private static ObservedCall gaveUp(ObservedCall observed, CallOp op, OpResult.Failed failed) {
        String error = failed.error();
        boolean aboutPeople = PERSON_LEVEL_ERRORS.contains(error);
        boolean aboutTheCall = failed.retriesExhausted() || CALL_LEVEL_ERRORS.contains(error);
        if (op instanceof CallOp.AddCall add) {
            if (!aboutPeople || add.users().isEmpty()) {
                return observed.withAddFailed(true);
            }
            // Slack names no culprit: add the call without them, then offer each of them alone.
            TreeSet<String> isolated = new TreeSet<>(observed.isolated());
            isolated.addAll(keys(add.users()));
            return observed.withRefusals(observed.rejected(), isolated, observed.deferred(),
                    with(observed.refusals(), add.users(), error));
        }
        if (op instanceof CallOp.PostCallBlock) {
            return observed.withBlock(BlockStatus.FAILED);
        }
        if (op instanceof CallOp.ThreadPost post) {
            return withReply(observed, post.reply(), new ObservedCall.Reply(ReplyStatus.FAILED, null, error));
        }
        if (op instanceof CallOp.ShowCallEnded shown) {
            // The control stays as it was (deleted, say): nothing more is sent for it.
            return observed.withEndCallControl(new ObservedCall.Reply(ReplyStatus.FAILED, shown.ts(), error));
        }
        if (op instanceof CallOp.AddParticipants added && aboutTheCall) {
            TreeSet<String> deferred = new TreeSet<>(observed.deferred());
            deferred.addAll(keys(added.users()));
            return observed.withRefusals(observed.rejected(), observed.isolated(), deferred,
                    with(observed.refusals(), added.users(), error));
        }
        if (op instanceof CallOp.AddParticipants added) {
            // Slack names no culprit when it refuses a batch: offer each of its people on their own.
            TreeSet<String> rejected = new TreeSet<>(observed.rejected());
            TreeSet<String> isolated = new TreeSet<>(observed.isolated());
            if (added.users().size() == 1) {
                rejected.add(added.users().get(0).key());
                isolated.remove(added.users().get(0).key());
            } else {
                isolated.addAll(keys(added.users()));
            }
            return observed.withRefusals(rejected, isolated, observed.deferred(),
                    with(observed.refusals(), added.users(), error));
        }
        if (op instanceof CallOp.RemoveParticipants removed) {
            return withoutParticipants(observed, removed.users());
        }
        if (op instanceof CallOp.UpdateCall update) {
            return observed.withDetails(update.title(), update.joinUrl(), update.desktopAppJoinUrl());
        }
        if (op instanceof CallOp.EndCall) {
            // calls.end refused for good (say invalid_call_id): nothing more can be done for this call.
            return observed.withEnded(true, null);
        }
        if ("invalid_call_id".equals(error)) {
            // calls.info: Slack no longer knows the call it gave the bridge, so there is nothing left to show.
            return observed.withEnded(true, null);
        }
        // The bridge's own calls.info refused (say without calls:read): what the lost operation did is not
        // known, and a call block is never risked twice; the rest is planned again, harmless if repeated.
        return observed.block() == BlockStatus.PENDING ? observed.withBlock(BlockStatus.POSTED) : observed;
    }

    /** The reverse of {@link #gaveUp}: Slack's state as it was before the operation was given up on. */
    private static ObservedCall undoFailure(ObservedCall observed, CallOp op) {
        if (op instanceof CallOp.AddCall) {
            return observed.addFailed() ? ObservedCall.none() : observed;
        }
        if (op instanceof CallOp.PostCallBlock) {
            return observed.block() == BlockStatus.FAILED ? observed.withBlock(BlockStatus.PENDING) : observed;
        }
        if (op instanceof CallOp.ThreadPost post) {
            ObservedCall.Reply reply = post.reply() == ThreadReply.ANALYSIS ? observed.analysisReply()
                    : observed.endCallControl();
            return reply != null && reply.status() == ReplyStatus.FAILED ? withReply(observed, post.reply(), null)
                    : observed;
        }
        if (op instanceof CallOp.ShowCallEnded shown) {
            ObservedCall.Reply control = observed.endCallControl();
            return control != null && control.status() == ReplyStatus.FAILED
                    ? observed.withEndCallControl(ObservedCall.Reply.posted(shown.ts())) : observed;
        }
        if (op instanceof CallOp.AddParticipants added) {
            List<String> keys = keys(added.users());
            TreeSet<String> rejected = new TreeSet<>(observed.rejected());
            TreeSet<String> isolated = new TreeSet<>(observed.isolated());
            TreeSet<String> deferred = new TreeSet<>(observed.deferred());
            rejected.removeAll(keys);
            isolated.removeAll(keys);
            deferred.removeAll(keys);
            return observed.withRefusals(rejected, isolated, deferred, without(observed.refusals(), keys));
        }
        if (op instanceof CallOp.RemoveParticipants removed) {
            // Slack may still list them: show them again, so a removal is planned if they are gone.
            TreeMap<String, Participant> shown = new TreeMap<>(observed.participants());
            removed.users().forEach(p -> shown.putIfAbsent(p.key(), p));
            return observed.withParticipants(shown);
        }
        if (op instanceof CallOp.UpdateCall) {
            return observed.withDetails(null, null, null);
        }
        if (op instanceof CallOp.EndCall) {
            return observed.ended() && observed.added() ? observed.withEnded(false, null) : observed;
        }
        return observed;
    }

    private static ObservedCall withReply(ObservedCall observed, ThreadReply kind, ObservedCall.Reply reply) {
        return kind == ThreadReply.ANALYSIS ? observed.withAnalysisReply(reply) : observed.withEndCallControl(reply);
    }

    private static List<String> keys(List<Participant> people) {
        return people.stream().map(Participant::key).toList();
    }

    private static SortedMap<String, String> with(SortedMap<String, String> refusals, List<Participant> people,
            String error) {
        TreeMap<String, String> next = new TreeMap<>(refusals);
        people.forEach(p -> next.put(p.key(), error));
        return next;
    }

    private static SortedMap<String, String> without(SortedMap<String, String> refusals, Collection<String> keys) {
        TreeMap<String, String> next = new TreeMap<>(refusals);
        keys.forEach(next::remove);
        return next;
    }

    private static ObservedCall withoutParticipants(ObservedCall observed, List<Participant> gone) {
        TreeMap<String, Participant> shown = new TreeMap<>(observed.participants());
        gone.forEach(p -> shown.remove(p.key()));
        return observed.withParticipants(shown);
    }
}
