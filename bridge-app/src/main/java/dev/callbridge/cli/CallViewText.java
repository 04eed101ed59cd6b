package dev.callbridge.cli;

import dev.callbridge.model.event.Participant;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.DesiredCall;
import dev.callbridge.model.state.ObservedCall;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** A call's view as an operator reads it: one fact per line, wanted beside shown. */
final class CallViewText {

    private CallViewText() {}

    static void print(CallState view, PrintWriter out) {
        DesiredCall desired = view.desired();
        ObservedCall observed = view.observed();
        line(out, "call", view.externalUniqueId());
        line(out, "phase", view.phase().name());
        if (desired.start() != null) {
            line(out, "workspace", orNone(desired.start().teamId()) + ", channel " + orNone(desired.start().channel()));
        }
        line(out, "slack call", observed.added() ? observed.slackCallId() : "(not added)");
        line(out, "call block", observed.block().name() + (observed.blockMessage() == null ? ""
                : " in " + observed.blockMessage().channel() + " as " + observed.blockMessage().ts()));
        if (view.analysisStanding() != CallState.AnalysisStanding.NONE) {
            line(out, "analysis", view.analysisStanding().description() + reply(observed.analysisReply()));
        }
        if (observed.endCallControl() != null) {
            line(out, "end call control", observed.endCallControl().status().name() + reply(observed.endCallControl()));
        }
        line(out, "title", orNone(DesiredCall.valueOf(desired.title())) + " (Slack: " + orNone(observed.title()) + ")");
        line(out, "wanted on call", keys(desired.present()));
        line(out, "shown in Slack", String.join(", ", observed.participants().keySet()));
        if (!observed.rejected().isEmpty()) {
            line(out, "refused by Slack", why(observed.rejected(), observed));
        }
        if (!observed.isolated().isEmpty()) {
            line(out, "offered alone", why(observed.isolated(), observed));
        }
        if (!observed.deferred().isEmpty()) {
            line(out, "held back", why(observed.deferred(), observed) + "; offered again after the next success");
        }
        if (desired.end() != null) {
            line(out, "ended", desired.end().endedAt() + " (" + desired.end().reason() + ")"
                    + (observed.ended() ? ", ended in Slack" : ", not yet ended in Slack"));
        }
        if (view.inFlight() != null) {
            CallState.InFlight inFlight = view.inFlight();
            line(out, "in flight", inFlight.op().opId() + " since " + inFlight.since() + ", attempt "
                    + inFlight.attempts() + (inFlight.lastError() == null ? "" : ", last error " + inFlight.lastError())
                    + (inFlight.heardAt() == null ? "" : ", last heard of " + inFlight.heardAt()));
        }
        if (view.lastFailure() != null) {
            CallState.OpFailure failure = view.lastFailure();
            line(out, "last failure", failure.method().apiName() + " " + failure.error() + " at " + failure.at()
                    + " (" + failure.opId() + ")");
        }
        line(out, "operations", Long.toString(view.opCount()));
        line(out, "last activity", String.valueOf(view.lastActivityAt()));
    }

    /** A reply's message and Slack's refusal, when known. */
    private static String reply(ObservedCall.Reply reply) {
        if (reply == null) {
            return "";
        }
        return (reply.ts() == null ? "" : " (" + reply.ts() + ")") + (reply.error() == null ? "" : ": " + reply.error());
    }

    private static void line(PrintWriter out, String label, String value) {
        out.printf("%-17s %s%n", label, value.isEmpty() ? "(none)" : value);
    }

    /** Each person with the Slack error that set them aside, e.g. {@code slack:U1 (user_not_found)}. */
    private static String why(Collection<String> people, ObservedCall observed) {
        return people.stream()
                .map(key -> observed.refusals().containsKey(key) ? key + " (" + observed.refusals().get(key) + ")" : key)
                .collect(Collectors.joining(", "));
    }

    private static String keys(Collection<Participant> participants) {
        return participants.stream().map(Participant::key).collect(Collectors.joining(", "));
    }

    private static String orNone(String value) {
        return value == null ? "(none)" : value;
    }

    static List<String> indented(List<String> lines) {
        return lines.stream().map(l -> "  - " + l).toList();
    }
}
