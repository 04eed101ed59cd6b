package dev.callbridge.e2e;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Whole call lifecycles and the Slack call each must end up as. Every call starts with two people,
 * gains a third, loses one who then rejoins, is renamed, loses another, and ends:
 *
 * <pre>
 * started [A, B] -> joined C -> left A -> joined A -> updated title -> left B -> ended
 * </pre>
 *
 * so it must end in Slack with A and C on it, the new title, and ended.
 */
final class CallScenario {

    // Recent, so nothing looks idle for hours to the wall-clock sweeper.
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(10));

    /** One call's events in the order they happened, and the Slack call they must produce. */
    record ScriptedCall(String externalId, List<CallEvent> events, ExpectedCall expected) {}

    private final List<ScriptedCall> calls;

    private CallScenario(List<ScriptedCall> calls) {
        this.calls = List.copyOf(calls);
    }

    /** {@code count} calls named {@code <prefix>call-<n>}, starting a second apart. */
    static CallScenario lifecycles(String prefix, int count) {
        return new CallScenario(IntStream.range(0, count)
                .mapToObj(n -> lifecycle(prefix + "call-" + n, n, null)).toList());
    }

    /** As {@link #lifecycles(String, int)}, call {@code n} in workspace {@code teams[n % teams.size()]}. */
    static CallScenario lifecycles(String prefix, int count, List<String> teams) {
        return new CallScenario(IntStream.range(0, count)
                .mapToObj(n -> lifecycle(prefix + "call-" + n, n, teams.get(n % teams.size()))).toList());
    }

    private static ScriptedCall lifecycle(String id, int n, String team) {
        CallEvents call = CallEvents.sequenced(id, "pbx-e2e", T0.plusSeconds(n));
        String a = "U" + n + "A";
        String b = "U" + n + "B";
        String c = "U" + n + "C";
        String renamed = "Call " + n + " (renamed)";
        List<CallEvent> events = List.of(
                call.started(new CallEventData.Started("https://pbx.example/j/" + id, null, null, "Call " + n, null,
                        call.now().getEpochSecond(), null, team,
                        List.of(Participant.slackUser(a), Participant.slackUser(b)))),
                call.after(Duration.ofSeconds(2)).joined(Participant.slackUser(c)),
                call.after(Duration.ofSeconds(3)).left(Participant.slackUser(a)),
                call.after(Duration.ofSeconds(3)).joined(Participant.slackUser(a)),
                call.after(Duration.ofSeconds(1)).updated(renamed, null, null),
                call.after(Duration.ofSeconds(4)).left(Participant.slackUser(b)),
                call.after(Duration.ofSeconds(5)).ended());
        return new ScriptedCall(id, events, new ExpectedCall(id, Set.of(a, c), renamed, true));
    }

    /** The same calls without their {@code call.ended}: they stay live in Slack. */
    CallScenario withoutEnds() {
        return new CallScenario(calls.stream().map(c -> new ScriptedCall(c.externalId(),
                c.events().subList(0, c.events().size() - 1),
                new ExpectedCall(c.externalId(), c.expected().slackUsers(), c.expected().title(), false))).toList());
    }

    List<ScriptedCall> calls() {
        return calls;
    }

    List<ExpectedCall> expected() {
        return calls.stream().map(ScriptedCall::expected).toList();
    }

    int eventCount() {
        return calls.stream().mapToInt(c -> c.events().size()).sum();
    }

    /** Every event once, in the order they happened across all calls. */
    List<CallEvent> inOrder() {
        return interleave(calls.stream().map(ScriptedCall::events).toList());
    }

    /**
     * Every event twice and each call's neighbours swapped, the end kept last: {@code joined C}
     * comes before {@code started}, the rejoin of A before A's leave, the rename before B's leave.
     * Each event's copy follows one event after it. The end stays last because Slack refuses
     * participant changes on an ended call, so no bridge could apply a leave that arrives later.
     */
    List<CallEvent> duplicatedAndSwapped() {
        return interleave(calls.stream().map(c -> duplicated(swapped(c.events()))).toList());
    }

    private static List<CallEvent> swapped(List<CallEvent> events) {
        List<CallEvent> out = new ArrayList<>(events);
        for (int i = 0; i + 1 < out.size() - 1; i += 2) {
            CallEvent first = out.get(i);
            out.set(i, out.get(i + 1));
            out.set(i + 1, first);
        }
        return out;
    }

    private static List<CallEvent> duplicated(List<CallEvent> events) {
        List<CallEvent> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            out.add(events.get(i));
            if (i > 0) {
                out.add(events.get(i - 1));
            }
        }
        out.add(events.get(events.size() - 1));
        return out;
    }

    /** Round-robin over the calls, so calls overlap in the stream while each keeps its own order. */
    private static List<CallEvent> interleave(List<List<CallEvent>> perCall) {
        List<CallEvent> out = new ArrayList<>();
        int longest = perCall.stream().mapToInt(List::size).max().orElse(0);
        for (int step = 0; step < longest; step++) {
            for (List<CallEvent> events : perCall) {
                if (step < events.size()) {
                    out.add(events.get(step));
                }
            }
        }
        return out;
    }
}
