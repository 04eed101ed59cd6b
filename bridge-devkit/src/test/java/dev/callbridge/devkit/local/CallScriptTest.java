package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Planned demo calls tell a story a telephony system could: people come and go between a start and an end. */
class CallScriptTest {

    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
    private static final DemoTraffic.Settings SETTINGS = DemoTraffic.Settings.defaults().withSeed(7);

    @Test
    void aCallStartsWithItsHostThenPeopleComeAndGoUntilItEnds() {
        Random random = new Random(SETTINGS.seed());
        for (int i = 0; i < 2_000; i++) {
            CallScript script = CallScript.plan(random, SETTINGS, null);
            List<CallEvent> events = play(script);

            assertThat(events.get(0).type()).isEqualTo(CallEventType.STARTED);
            assertThat(events.get(events.size() - 1).type()).isEqualTo(CallEventType.ENDED);
            assertThat(events).extracting(CallEvent::time).isSorted()
                    .allSatisfy(time -> assertThat(time).isBetween(START, START.plus(SETTINGS.longestCall())));
            assertThat(events.get(events.size() - 1).time()).isAfterOrEqualTo(START.plus(SETTINGS.shortestCall()));

            Set<String> present = new HashSet<>();
            Set<String> everyone = new HashSet<>();
            for (CallEvent event : events) {
                if (event.data() instanceof CallEventData.Started started) {
                    assertThat(started.participants()).hasSize(1);
                    assertThat(started.joinUrl()).startsWith("https://");
                    assertThat(started.createdBy()).matches("[UW][A-Z0-9]+");
                    started.participants().forEach(person -> present.add(person.key()));
                } else if (event.data() instanceof CallEventData.Joined joined) {
                    assertThat(present.add(joined.participant().key())).as("joins while absent").isTrue();
                } else if (event.data() instanceof CallEventData.Left left) {
                    assertThat(present.remove(left.participant().key())).as("leaves while present").isTrue();
                }
                everyone.addAll(present);
            }
            assertThat(everyone).hasSizeBetween(1, SETTINGS.maxParticipants());
        }
    }

    @Test
    void callsVaryInSizeModeAndOrdering() {
        Random random = new Random(SETTINGS.seed());
        List<CallScript> scripts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            scripts.add(CallScript.plan(random, SETTINGS, null));
        }

        assertThat(scripts).extracting(CallScript::binary).contains(true, false);
        assertThat(scripts).extracting(CallScript::sequenced).contains(true, false);
        List<CallEvent> all = scripts.stream().flatMap(script -> play(script).stream()).toList();
        // call.analyzed comes from a voice-AI platform's webhooks through bridge ingress, not from the demo's calls.
        assertThat(all).extracting(CallEvent::type).contains(CallEventType.STARTED, CallEventType.PARTICIPANT_JOINED,
                CallEventType.PARTICIPANT_LEFT, CallEventType.UPDATED, CallEventType.ENDED);
        List<Participant> joiners = all.stream()
                .filter(event -> event.data() instanceof CallEventData.Joined)
                .map(event -> ((CallEventData.Joined) event.data()).participant())
                .toList();
        assertThat(joiners)
                .anyMatch(person -> person.slackId() != null)
                .anyMatch(person -> person.externalId() != null && person.avatarUrl() != null)
                .anyMatch(person -> person.externalId() != null && person.avatarUrl() == null);
    }

    @Test
    void aSeedRepeatsItsCalls() {
        CallScript first = CallScript.plan(new Random(3), SETTINGS, null);
        CallScript again = CallScript.plan(new Random(3), SETTINGS, null);

        assertThat(again.callId()).isEqualTo(first.callId());
        assertThat(play(again)).isEqualTo(play(first));
    }

    /** The script's events at their planned times, as the generator writes them. */
    private static List<CallEvent> play(CallScript script) {
        CallEvents writer = script.events(SETTINGS.source(), START);
        List<CallEvent> events = new ArrayList<>();
        for (int i = 0; i < script.steps().size(); i++) {
            events.add(script.write(i, writer));
        }
        return events;
    }
}
