package dev.callbridge.operator;

import dev.callbridge.model.event.Participant;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.DesiredCall;
import dev.callbridge.slack.SlackCallInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Where Slack's call differs from what the bridge wants it to be, in words an operator reads. People
 * Slack refused for good are not counted as missing: the bridge stopped offering them on purpose.
 *
 * @param differences one line per difference the bridge can repair; empty when Slack shows what the
 *     bridge wants
 * @param beyondRepair differences no Slack request can undo, such as a Slack call ended too soon
 * @param unknownToBridge whether the bridge's record of Slack (its observed call) differs from Slack
 */
public record Drift(List<String> differences, List<String> beyondRepair, boolean unknownToBridge) {

    public Drift {
        differences = List.copyOf(differences);
        beyondRepair = List.copyOf(beyondRepair);
    }

    public boolean inSync() {
        return differences.isEmpty();
    }

    public static Drift between(CallState view, SlackCallInfo.Found slack) {
        DesiredCall desired = view.desired();
        List<String> lines = new ArrayList<>();
        List<String> beyond = new ArrayList<>();
        Set<String> shown = keys(slack.participants());
        Set<String> wanted = keys(desired.present());
        for (Participant p : desired.present()) {
            if (!shown.contains(p.key()) && !view.observed().rejected().contains(p.key())) {
                lines.add("missing in Slack: " + p.key());
            }
        }
        for (Participant p : slack.participants()) {
            if (!wanted.contains(p.key())) {
                lines.add("in Slack but not on the call: " + p.key());
            }
        }
        if (desired.end() != null && !slack.ended()) {
            lines.add("the call ended at the provider but Slack shows it live");
        }
        if (desired.end() == null && slack.ended()) {
            beyond.add("Slack shows the call ended while it goes on at the provider; an ended Slack call stays ended");
        }
        compare(lines, "title", desired.title(), slack.title());
        compare(lines, "join_url", desired.joinUrl(), slack.joinUrl());
        compare(lines, "desktop_app_join_url", desired.desktopAppJoinUrl(), slack.desktopAppJoinUrl());
        boolean unknown = !view.observed().participants().keySet().equals(shown)
                || view.observed().ended() != slack.ended()
                || !Objects.equals(blankToNull(view.observed().title()), blankToNull(slack.title()));
        return new Drift(lines, beyond, unknown);
    }

    private static void compare(List<String> lines, String field, DesiredCall.Versioned wanted, String shown) {
        String value = DesiredCall.valueOf(wanted);
        if (value != null && !value.equals(shown)) {
            lines.add(field + " is '" + shown + "' in Slack, wanted '" + value + "'");
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static Set<String> keys(List<Participant> participants) {
        return participants.stream().map(Participant::key).collect(Collectors.toCollection(TreeSet::new));
    }
}
