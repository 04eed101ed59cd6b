package dev.callbridge.reconcile;

import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.DesiredCall;
import dev.callbridge.model.state.ObservedCall;
import dev.callbridge.model.state.ObservedCall.BlockStatus;
import dev.callbridge.model.state.ObservedCall.ReplyStatus;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the one operation that moves Slack's observed call toward the desired one, in Slack's
 * valid order: add, then the call block, then the End call control in its thread, then participants and
 * details, then end; then the thread's replies that follow the end: the control shows that the call
 * ended, and the analysis is posted. Once Slack has the call ended only those replies are planned, so
 * nothing reopens the call.
 */
final class NextOp {

    private NextOp() {}

    static Optional<CallOp> plan(CallState state, ReconcilerSettings settings) {
        DesiredCall desired = state.desired();
        ObservedCall observed = state.observed();
        if (state.inFlight() != null || desired.start() == null || observed.addFailed()) {
            return Optional.empty();
        }
        if (!observed.ended()) {
            Optional<CallOp> onTheCall = callStep(state, settings);
            if (onTheCall.isPresent()) {
                return onTheCall;
            }
        }
        return threadStep(state);
    }

    /** The next step of the call itself, while Slack has it live; the control is posted right after the block. */
    private static Optional<CallOp> callStep(CallState state, ReconcilerSettings settings) {
        DesiredCall desired = state.desired();
        ObservedCall observed = state.observed();
        String call = state.externalUniqueId();
        String team = desired.start().teamId();
        if (!observed.added()) {
            DesiredCall.Start start = desired.start();
            // People Slack refused in an earlier calls.add are offered alone once the call exists.
            List<Participant> users = desired.present().stream()
                    .filter(p -> observed.offerable(p.key()) && !observed.isolated().contains(p.key()))
                    .toList();
            return Optional.of(new CallOp.AddCall(
                    state.nextOpId(SlackMethod.CALLS_ADD), call, team,
                    DesiredCall.valueOf(desired.joinUrl()),
                    DesiredCall.valueOf(desired.desktopAppJoinUrl()),
                    start.externalDisplayId(),
                    DesiredCall.valueOf(desired.title()),
                    start.createdBy(),
                    start.dateStart(),
                    users));
        }
        String slackCallId = observed.slackCallId();
        if (observed.block() == BlockStatus.PENDING && desired.start().channel() != null) {
            String title = DesiredCall.valueOf(desired.title());
            return Optional.of(new CallOp.PostCallBlock(
                    state.nextOpId(SlackMethod.CHAT_POST_MESSAGE), call, team, slackCallId,
                    desired.start().channel(), title == null ? "Call" : title));
        }
        ObservedCall.Reply control = observed.endCallControl();
        boolean controlWanted = settings.endsFromSlack(desired.start().source())
                // A call already ending gets no button, which would only be taken back at once.
                && (control == null ? desired.end() == null : control.status() == ReplyStatus.MAYBE_POSTED);
        if (controlWanted && observed.thread().isPresent()) {
            ObservedCall.BlockMessage block = observed.thread().get();
            return Optional.of(new CallOp.PostEndCallControl(state.nextOpId(SlackMethod.CHAT_POST_MESSAGE), call, team,
                    block.channel(), block.ts(), control != null));
        }
        List<Participant> joined = desired.present().stream()
                .filter(p -> !observed.participants().containsKey(p.key()) && observed.offerable(p.key()))
                .toList();
        if (!joined.isEmpty()) {
            List<Participant> batch = joined.stream()
                    .filter(p -> observed.isolated().contains(p.key()))
                    .findFirst()
                    .map(List::of)
                    .orElse(joined);
            return Optional.of(new CallOp.AddParticipants(
                    state.nextOpId(SlackMethod.CALLS_PARTICIPANTS_ADD), call, team, slackCallId, batch));
        }
        List<Participant> left = observed.participants().entrySet().stream()
                .filter(e -> !isPresent(desired, e.getKey()))
                .map(Map.Entry::getValue)
                .toList();
        if (!left.isEmpty()) {
            return Optional.of(new CallOp.RemoveParticipants(
                    state.nextOpId(SlackMethod.CALLS_PARTICIPANTS_REMOVE), call, team, slackCallId, left));
        }
        if (differs(desired.title(), observed.title())
                || differs(desired.joinUrl(), observed.joinUrl())
                || differs(desired.desktopAppJoinUrl(), observed.desktopAppJoinUrl())) {
            return Optional.of(new CallOp.UpdateCall(
                    state.nextOpId(SlackMethod.CALLS_UPDATE), call, team, slackCallId,
                    orElse(desired.title(), observed.title()),
                    orElse(desired.joinUrl(), observed.joinUrl()),
                    orElse(desired.desktopAppJoinUrl(), observed.desktopAppJoinUrl())));
        }
        if (desired.end() != null) {
            return Optional.of(new CallOp.EndCall(
                    state.nextOpId(SlackMethod.CALLS_END), call, team, slackCallId,
                    duration(desired), desired.end().reason()));
        }
        return Optional.empty();
    }

    /**
     * The thread's replies: once Slack has the call ended, the End call control shows it (a control whose
     * post's answer was lost is looked for first); and the analysis, once there is one and a thread.
     */
    private static Optional<CallOp> threadStep(CallState state) {
        DesiredCall desired = state.desired();
        ObservedCall observed = state.observed();
        Optional<ObservedCall.BlockMessage> thread = observed.thread();
        if (thread.isEmpty()) {
            return Optional.empty();
        }
        String call = state.externalUniqueId();
        String team = desired.start().teamId();
        String channel = thread.get().channel();
        ObservedCall.Reply control = observed.endCallControl();
        if (observed.ended() && control != null && control.status() == ReplyStatus.MAYBE_POSTED) {
            return Optional.of(new CallOp.PostEndCallControl(state.nextOpId(SlackMethod.CHAT_POST_MESSAGE), call, team,
                    channel, thread.get().ts(), true));
        }
        if (observed.ended() && control != null && control.status() == ReplyStatus.POSTED && control.ts() != null) {
            return Optional.of(new CallOp.ShowCallEnded(state.nextOpId(SlackMethod.CHAT_UPDATE), call, team, channel,
                    control.ts(), endReason(desired)));
        }
        DesiredCall.Analysis analysis = desired.analysis();
        ObservedCall.Reply reply = observed.analysisReply();
        if (analysis != null && (reply == null || reply.status() == ReplyStatus.MAYBE_POSTED)) {
            return Optional.of(new CallOp.PostAnalysis(state.nextOpId(SlackMethod.CHAT_POST_MESSAGE), call, team,
                    channel, thread.get().ts(), analysis.summary(), analysis.sentiment(), analysis.recordingUrl(),
                    analysis.transcriptUrl(), reply != null));
        }
        return Optional.empty();
    }

    /** Why the call ended, as the control shows it: the provider's or the sweeper's reason; none for a bare end. */
    private static String endReason(DesiredCall desired) {
        DesiredCall.End end = desired.end();
        return end == null || Reconciler.DEFAULT_END_REASON.equals(end.reason()) ? null : end.reason();
    }

    /** The provider's duration, else the time from the call's start to its end, in whole seconds. */
    static long duration(DesiredCall desired) {
        DesiredCall.End end = desired.end();
        if (end.duration() != null) {
            return end.duration();
        }
        return Math.max(0, end.endedAt().getEpochSecond() - desired.start().dateStart());
    }

    private static boolean isPresent(DesiredCall desired, String key) {
        DesiredCall.Presence presence = desired.participants().get(key);
        return presence != null && presence.present();
    }

    private static boolean differs(DesiredCall.Versioned wanted, String shown) {
        return wanted != null && wanted.value() != null && !Objects.equals(wanted.value(), shown);
    }

    private static String orElse(DesiredCall.Versioned wanted, String shown) {
        return wanted != null && wanted.value() != null ? wanted.value() : shown;
    }
}
