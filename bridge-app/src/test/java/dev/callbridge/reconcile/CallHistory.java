package dev.callbridge.reconcile;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A random but realistic call, told as its events in the order they happened: a start (perhaps with
 * people already on it), people joining, leaving and rejoining, title changes, and the end. Knows
 * what Slack should show once it is mirrored: who is on the call at the end, its title and duration.
 */
record CallHistory(String callId, List<CallEvent> events, Set<String> presentAtEnd, String finalTitle,
        long duration, boolean hasChannel) {

    private static final Instant EPOCH = Instant.parse("2026-03-02T09:00:00Z");

    static CallHistory generate(String callId, Random random) {
        Instant start = EPOCH.plusSeconds(random.nextInt(86_400));
        int sequencing = random.nextInt(3);
        CallEvents call = sequencing == 1
                ? CallEvents.unsequenced(callId, "pbx-" + random.nextInt(3), start)
                : CallEvents.sequenced(callId, "pbx-" + random.nextInt(3), start);

        List<Participant> people = new ArrayList<>();
        int count = random.nextInt(7);
        for (int i = 0; i < count; i++) {
            people.add(random.nextBoolean()
                    ? Participant.slackUser("U" + callId.hashCode() % 97 + "X" + i)
                    : Participant.external("+1555" + i, "Guest " + i));
        }
        List<Participant> onAtStart = people.stream().filter(p -> random.nextInt(4) == 0).toList();
        boolean hasChannel = random.nextBoolean();
        String title = "Call " + callId;

        List<CallEvent> events = new ArrayList<>();
        events.add(call.started("https://pbx.example/j/" + callId, title, hasChannel ? "C0CALLS" : null, onAtStart));

        // Each person's presence alternates; the steps of different people interleave at random.
        Map<Participant, Integer> stepsLeft = new HashMap<>();
        Map<Participant, Boolean> present = new HashMap<>();
        for (Participant p : people) {
            stepsLeft.put(p, random.nextInt(5));
            present.put(p, onAtStart.contains(p));
        }
        int renames = random.nextInt(3);
        while (stepsLeft.values().stream().anyMatch(n -> n > 0) || renames > 0) {
            call.after(Duration.ofMillis(1 + random.nextInt(20_000)));
            List<Participant> movers = stepsLeft.entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(Map.Entry::getKey).sorted(Comparator.comparing(Participant::key)).toList();
            if (movers.isEmpty() || (renames > 0 && random.nextInt(5) == 0)) {
                title = "Renamed " + random.nextInt(1000);
                events.add(call.updated(title, null, null));
                renames--;
                continue;
            }
            Participant mover = movers.get(random.nextInt(movers.size()));
            boolean nowPresent = !present.get(mover);
            events.add(nowPresent ? call.joined(mover) : call.left(mover));
            present.put(mover, nowPresent);
            stepsLeft.merge(mover, -1, Integer::sum);
        }
        call.after(Duration.ofMillis(1 + random.nextInt(60_000)));
        Long givenDuration = random.nextBoolean() ? null : (long) random.nextInt(10_000);
        events.add(call.ended(givenDuration, random.nextBoolean() ? "completed" : null));
        long duration = givenDuration != null
                ? givenDuration
                : Math.max(0, call.now().getEpochSecond() - start.getEpochSecond());
        if (sequencing == 2) {
            events = events.stream().map(e -> random.nextBoolean() ? withoutSequence(e) : e)
                    .collect(Collectors.toCollection(ArrayList::new));
        }
        Set<String> presentAtEnd = present.entrySet().stream().filter(Map.Entry::getValue)
                .map(e -> e.getKey().key()).collect(Collectors.toCollection(TreeSet::new));
        return new CallHistory(callId, List.copyOf(events), presentAtEnd, title, duration, hasChannel);
    }

    private static CallEvent withoutSequence(CallEvent e) {
        return new CallEvent(e.id(), e.source(), e.type(), e.subject(), e.time(), null, e.data());
    }

    CallEvent end() {
        return events.get(events.size() - 1);
    }

    /**
     * Who is on the call according to some of its events, judged independently of the reconciler:
     * each person's latest event by time decides (times in a history are strictly increasing).
     */
    static Set<String> presence(List<CallEvent> delivered) {
        Map<String, CallEvent> latest = new HashMap<>();
        for (CallEvent event : delivered) {
            List<Participant> subjects = new ArrayList<>();
            if (event.data() instanceof CallEventData.Joined joined) {
                subjects.add(joined.participant());
            } else if (event.data() instanceof CallEventData.Left left) {
                subjects.add(left.participant());
            } else if (event.data() instanceof CallEventData.Started started) {
                subjects.addAll(started.participants());
            }
            for (Participant p : subjects) {
                CallEvent known = latest.get(p.key());
                if (known == null || event.time().isAfter(known.time())) {
                    latest.put(p.key(), event);
                }
            }
        }
        return latest.entrySet().stream()
                .filter(e -> e.getValue().type() != CallEventType.PARTICIPANT_LEFT)
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
