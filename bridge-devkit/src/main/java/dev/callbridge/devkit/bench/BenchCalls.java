package dev.callbridge.devkit.bench;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/** The calls the benchmark sends: whole lifecycles, bursts, and calls that only start. */
final class BenchCalls {

    /** Events in one {@link #lifecycle}. */
    static final int LIFECYCLE_EVENTS = 5;
    /** Events in one {@link #burst}: what a one-request-per-event bridge turns into 9 requests. */
    static final int BURST_EVENTS = 9;
    /** Between two calls' starts in {@link #traffic}. */
    static final Duration TRAFFIC_CALL_SPACING = Duration.ofMillis(10);
    static final int DUPLICATE_ONE_IN = 10;

    // Recent, so nothing looks idle for hours to the stale-call sweeper.
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(30));

    private BenchCalls() {}

    /** Started with two people, a third joins, the first leaves, a new title, the end. */
    static List<CallEvent> lifecycle(String id, int n) {
        CallEvents call = CallEvents.sequenced(id, "pbx-bench", T0.plusMillis(n));
        String tag = Integer.toString(n, 36).toUpperCase(Locale.ROOT);
        return List.of(
                call.started("https://pbx.example/j/" + id, "Call " + tag, null,
                        List.of(Participant.slackUser("U" + tag + "A"), Participant.external("+1555" + n, "Caller"))),
                call.after(Duration.ofSeconds(5)).joined(Participant.slackUser("U" + tag + "C")),
                call.after(Duration.ofSeconds(20)).left(Participant.slackUser("U" + tag + "A")),
                call.after(Duration.ofSeconds(1)).updated("Call " + tag + " (renamed)", null, null),
                call.after(Duration.ofSeconds(30)).ended());
    }

    /** Many lifecycles, interleaved as they would happen: every call's first event, then every second one, .... */
    static List<CallEvent> lifecycles(String prefix, int count) {
        List<List<CallEvent>> perCall = IntStream.range(0, count).mapToObj(n -> lifecycle(prefix + n, n)).toList();
        List<CallEvent> out = new ArrayList<>(count * LIFECYCLE_EVENTS);
        for (int i = 0; i < LIFECYCLE_EVENTS; i++) {
            for (List<CallEvent> events : perCall) {
                out.add(events.get(i));
            }
        }
        return out;
    }

    /** SPEC §9's burst: five people join within a second of the start, two leave, the call ends. */
    static List<CallEvent> burst(String id, int n) {
        return burst(id, n, T0.plusMillis(n), null, null);
    }

    /** {@link #burst(String, int)} starting at {@code start}, posted to {@code channel} of workspace {@code team}. */
    static List<CallEvent> burst(String id, int n, Instant start, String team, String channel) {
        CallEvents call = CallEvents.sequenced(id, "pbx-bench", start);
        List<Participant> people = IntStream.rangeClosed(1, 5)
                .mapToObj(i -> Participant.external("+1555" + n + "0" + i, "Caller " + i)).toList();
        List<CallEvent> events = new ArrayList<>();
        events.add(call.started(new CallEventData.Started("https://pbx.example/j/" + id, null, null, null, null,
                start.getEpochSecond(), channel, team, List.of())));
        people.forEach(p -> events.add(call.after(Duration.ofMillis(180)).joined(p)));
        events.add(call.after(Duration.ofMillis(150)).left(people.get(3)));
        events.add(call.after(Duration.ofMillis(150)).left(people.get(4)));
        events.add(call.after(Duration.ofMillis(200)).ended());
        return events;
    }

    /**
     * The throughput part's traffic: {@link #burst} for every call, a call starting every
     * {@link #TRAFFIC_CALL_SPACING}, spread round-robin over the workspaces, every event in time order
     * among the other calls' (a burst lasts 1.4 s, so about 140 calls are under way at once), and one
     * event in {@value #DUPLICATE_ONE_IN} on average sent twice in a row, as a producer's retry would.
     */
    static List<CallEvent> traffic(String prefix, int calls, BenchWorkspaces workspaces) {
        List<CallEvent> byTime = new ArrayList<>(calls * BURST_EVENTS);
        for (int n = 0; n < calls; n++) {
            int workspace = workspaces.of(n);
            byTime.addAll(burst(prefix + n, n, T0.plus(TRAFFIC_CALL_SPACING.multipliedBy(n)),
                    workspaces.team(workspace), workspaces.channel(workspace)));
        }
        // Stable: a call's events keep their order where two calls' events share an instant.
        byTime.sort(Comparator.comparing(CallEvent::time));
        Random random = new Random(calls);
        List<CallEvent> sent = new ArrayList<>(byTime.size() + byTime.size() / DUPLICATE_ONE_IN + 1);
        for (CallEvent event : byTime) {
            sent.add(event);
            if (random.nextInt(DUPLICATE_ONE_IN) == 0) {
                sent.add(event);
            }
        }
        return sent;
    }

    /** A call that starts and stays live, with two people on it. */
    static CallEvent started(String id, int n) {
        CallEvents call = CallEvents.sequenced(id, "pbx-bench", T0.plusMillis(n));
        String tag = Integer.toString(n, 36).toUpperCase(Locale.ROOT);
        return call.started("https://pbx.example/j/" + id, "Call " + tag, null,
                List.of(Participant.slackUser("U" + tag + "A"), Participant.external("+1555" + n, "Caller")));
    }

    /** A town-hall call starting with {@code people} on it: half Slack users, half callers with an avatar. */
    static CallEvent townHall(String id, int n, int people) {
        CallEvents call = CallEvents.sequenced(id, "pbx-bench", T0.plusMillis(n));
        List<Participant> everyone = IntStream.range(0, people)
                .mapToObj(i -> i % 2 == 0
                        ? Participant.slackUser("U" + Integer.toString(n, 36).toUpperCase(Locale.ROOT) + "P" + i)
                        : new Participant(null, "+1555" + n + "0" + i, "Caller " + i + " of town hall " + n,
                                "https://avatars.example.com/" + n + "/" + i + ".png"))
                .toList();
        return call.started("https://pbx.example/j/" + id, "Town hall " + n, "C0TOWNHALL", everyone);
    }

    /** A call that starts and ends at once: three requests (add, block, end). */
    static List<CallEvent> startedAndEnded(String id, int n) {
        CallEvents call = CallEvents.sequenced(id, "pbx-bench", T0.plusMillis(n));
        return List.of(call.started("https://pbx.example/j/" + id, "Call " + n, null,
                        List.of(Participant.slackUser("U" + Integer.toString(n, 36).toUpperCase(Locale.ROOT) + "A"))),
                call.after(Duration.ofSeconds(40)).ended());
    }
}
