package dev.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.DesiredCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The order rule without ties left to arrival: events of a call share a handful of {@code time}s
 * (whole seconds, as many providers send them), only some carry a {@code sequence}, and the same
 * events delivered in any two orders must give the same desired call.
 */
class OrderingProperties {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final List<Participant> PEOPLE = List.of(Participant.slackUser("U0ALICE"),
            Participant.slackUser("U0BOB"), Participant.external("+15550100", "Carol"));
    private final Reconciler reconciler = new Reconciler(BridgeConfig.defaults().reconciler());

    @Property(tries = 600)
    void anyTwoArrivalOrdersGiveTheSameDesiredCall(@ForAll long seed, @ForAll @IntRange(min = 1, max = 14) int count,
            @ForAll @IntRange(min = 1, max = 3) int distinctTimes, @ForAll @IntRange(min = 0, max = 100) int sequencedPercent) {
        Random random = new Random(seed);
        List<CallEvent> events = history(random, count, distinctTimes, sequencedPercent);
        List<CallEvent> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, random);

        DesiredCall inOrder = desired(events);
        DesiredCall otherwise = desired(shuffled);

        assertThat(otherwise.present()).as("present after %s", shuffled).isEqualTo(inOrder.present());
        assertThat(otherwise.end()).as("the end after %s", shuffled).isEqualTo(inOrder.end());
        if (!updatedAfterTheEnd(events)) {
            // A rename ordered after the end counts only if it comes before the end does (event-schema.md).
            assertThat(DesiredCall.valueOf(otherwise.title())).isEqualTo(DesiredCall.valueOf(inOrder.title()));
        }
    }

    @Property(tries = 200)
    void joinLeaveJoinOfOneInstantEndsPresentWhateverTheArrival(@ForAll long seed, @ForAll boolean sequenced) {
        Participant alice = PEOPLE.get(0);
        List<CallEvent> events = new ArrayList<>(List.of(
                event("s", CallEventType.STARTED, T0, null, started()),
                event("j1", CallEventType.PARTICIPANT_JOINED, T0.plusSeconds(5), sequenced ? 7L : null,
                        new CallEventData.Joined(alice)),
                event("l1", CallEventType.PARTICIPANT_LEFT, T0.plusSeconds(5), sequenced ? 7L : null,
                        new CallEventData.Left(alice)),
                event("j2", CallEventType.PARTICIPANT_JOINED, T0.plusSeconds(5), sequenced ? 7L : null,
                        new CallEventData.Joined(alice))));
        Collections.shuffle(events, new Random(seed));

        assertThat(present(desired(events))).contains(alice.key());
    }

    @Example
    void aJoinAndALeaveOfTheSameInstantLeaveThePresenceAsItWas() {
        Participant bob = PEOPLE.get(1);
        CallEvent start = event("s", CallEventType.STARTED, T0, null, started());
        CallEvent joins = event("j", CallEventType.PARTICIPANT_JOINED, T0.plusSeconds(1), null,
                new CallEventData.Joined(bob));
        // A reconnect: Bob leaves and joins again within one second.
        CallEvent leaves = event("l", CallEventType.PARTICIPANT_LEFT, T0.plusSeconds(2), null,
                new CallEventData.Left(bob));
        CallEvent rejoins = event("j2", CallEventType.PARTICIPANT_JOINED, T0.plusSeconds(2), null,
                new CallEventData.Joined(bob));

        assertThat(present(desired(List.of(start, joins, rejoins, leaves)))).contains(bob.key());
        assertThat(present(desired(List.of(leaves, rejoins, start, joins)))).contains(bob.key());
        assertThat(present(desired(List.of(start, leaves, rejoins)))).doesNotContain(bob.key());
    }

    @Example
    void aSequenceOrdersEventsOfTheSameTimeAndAnEventWithoutOneComesFirst() {
        Participant bob = PEOPLE.get(1);
        Instant second = T0.plusSeconds(3);
        CallEvent start = event("s", CallEventType.STARTED, T0, null, started());
        CallEvent leaveUnsequenced = event("l", CallEventType.PARTICIPANT_LEFT, second, null, new CallEventData.Left(bob));
        CallEvent join = event("j", CallEventType.PARTICIPANT_JOINED, second, 4L, new CallEventData.Joined(bob));
        CallEvent leaveSequenced = event("l2", CallEventType.PARTICIPANT_LEFT, second, 5L, new CallEventData.Left(bob));

        assertThat(present(desired(List.of(start, join, leaveUnsequenced)))).contains(bob.key());
        assertThat(present(desired(List.of(start, leaveSequenced, join)))).doesNotContain(bob.key());
    }

    private List<CallEvent> history(Random random, int count, int distinctTimes, int sequencedPercent) {
        List<CallEvent> events = new ArrayList<>();
        events.add(event("start", CallEventType.STARTED, T0, random.nextInt(100) < sequencedPercent ? 0L : null,
                started()));
        for (int n = 0; n < count; n++) {
            Instant time = T0.plusSeconds(1 + random.nextInt(distinctTimes));
            Long sequence = random.nextInt(100) < sequencedPercent ? (long) random.nextInt(4) : null;
            Participant who = PEOPLE.get(random.nextInt(PEOPLE.size()));
            if (who.externalId() != null && random.nextBoolean()) {
                // The same person, named differently by another event of the same instant.
                who = Participant.external(who.externalId(), who.displayName() + " (mobile)");
            }
            int kind = random.nextInt(6);
            if (kind == 5) {
                // Some calls end twice, at different instants or with different durations.
                events.add(event("e" + n, CallEventType.ENDED, time, sequence,
                        new CallEventData.Ended(60L + 30L * random.nextInt(2), "completed")));
            } else if (kind < 2) {
                events.add(event("e" + n, CallEventType.PARTICIPANT_JOINED, time, sequence, new CallEventData.Joined(who)));
            } else if (kind < 4) {
                events.add(event("e" + n, CallEventType.PARTICIPANT_LEFT, time, sequence, new CallEventData.Left(who)));
            } else {
                events.add(event("e" + n, CallEventType.UPDATED, time, sequence,
                        new CallEventData.Updated("Title " + random.nextInt(3), null, null)));
            }
        }
        return events;
    }

    private static boolean updatedAfterTheEnd(List<CallEvent> events) {
        return events.stream().filter(e -> e.type() == CallEventType.ENDED).map(CallEvent::order)
                .min(Comparator.naturalOrder())
                .map(end -> events.stream().anyMatch(e -> e.type() == CallEventType.UPDATED && e.order().isAfter(end)))
                .orElse(false);
    }

    private DesiredCall desired(List<CallEvent> events) {
        CallState state = null;
        for (CallEvent event : events) {
            state = reconciler.onEvent(state, event, T0).state();
        }
        return state.desired();
    }

    private static List<String> present(DesiredCall desired) {
        return desired.present().stream().map(Participant::key).toList();
    }

    private static CallEventData.Started started() {
        return new CallEventData.Started("https://pbx.example/j/1", null, null, "Call", null, null, null, null,
                List.of(PEOPLE.get(2)));
    }

    private static CallEvent event(String id, CallEventType type, Instant time, Long sequence, CallEventData data) {
        return new CallEvent(id, "pbx", type, "call-1", time, sequence, data);
    }
}
