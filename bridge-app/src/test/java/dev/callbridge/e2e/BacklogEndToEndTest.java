package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A backlog of events waiting when the bridge starts, as after an outage: every call of it is added
 * once and ended, with no error from Slack; a call whose whole lifecycle waited in the backlog is added
 * with its people, posted and ended, and nothing more.
 *
 * <p>How far Slack's answers are read while the backlog still is (the reconciler's small fetches)
 * depends on how fast this machine reads 3,000 events against one Slack round trip: with a cold JVM
 * a few hundred calls are added after the first has ended, with a warm one none may be. So that
 * figure is printed, not asserted; the fetch size is held by {@code CallTopologyTest} and the effect
 * is measured by {@code bin/bench --only throughput}.
 */
class BacklogEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int CALLS = 1_500;
    /** How many calls start between one call's start and its end. */
    private static final int OVERLAP = 50;
    /** Calls of the backlog whose whole lifecycle (start, three joins, a leave, the end) spans a second. */
    private static final int HELD_CALLS = 50;

    @Test
    void everyCallOfABacklogWaitingAtStartIsAddedOnceAndEnded() {
        List<String> methods = Collections.synchronizedList(new ArrayList<>());
        try (BridgeRig rig = recording("e2e-backlog-", methods)) {
            Instant t0 = Instant.now().minusSeconds(600);
            List<CallEvents> calls = new ArrayList<>();
            List<CallEvent> backlog = new ArrayList<>();
            for (int i = 0; i < CALLS + OVERLAP; i++) {
                if (i < CALLS) {
                    CallEvents call = CallEvents.sequenced("e2e-backlog-" + i, "urn:pbx:acme", t0.plusMillis(i));
                    calls.add(call);
                    backlog.add(call.started("https://pbx.example/j/" + i, "Backlog " + i, null, List.of()));
                }
                if (i >= OVERLAP) {
                    backlog.add(calls.get(i - OVERLAP).after(Duration.ofSeconds(30)).ended());
                }
            }
            // The bridge creates its topics; stopped, it leaves the backlog to wait as an outage would.
            rig.stopService(rig.startService(rig.settings("one")));
            rig.send(backlog);

            rig.startService(rig.settings("one"));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> count(methods, "calls.end") >= CALLS);

            List<String> sent = List.copyOf(methods);
            int firstEnd = sent.indexOf("calls.end");
            long addsAfterFirstEnd = sent.subList(firstEnd, sent.size()).stream()
                    .filter("calls.add"::equals).count();
            System.out.printf("backlog test: %d of %d calls added after the first call ended in Slack%n",
                    addsAfterFirstEnd, CALLS);
            assertThat(count(sent, "calls.add")).as("one Slack call per call").isEqualTo(CALLS);
            assertThat(rig.emulator().calls()).hasSize(CALLS).allMatch(CallSnapshot::ended);
            rig.expect.assertNoSlackErrors();
        }
    }

    @Test
    void aCallThatStartedAndEndedWithinTheBacklogIsShownOnceWithItsPeopleInThreeRequests() {
        List<String> methods = Collections.synchronizedList(new ArrayList<>());
        try (BridgeRig rig = recording("e2e-held-", methods)) {
            Instant written = Instant.now().minusSeconds(600);
            List<CallEvent> backlog = new ArrayList<>();
            for (int i = 0; i < HELD_CALLS; i++) {
                CallEvents call = CallEvents.sequenced("e2e-held-" + i, "urn:pbx:acme", written.plusMillis(10L * i));
                List<Participant> people = List.of(Participant.external("+1555" + i + "01", "One"),
                        Participant.external("+1555" + i + "02", "Two"), Participant.external("+1555" + i + "03", "Three"));
                backlog.add(call.started("https://pbx.example/j/" + i, "Held " + i, null, List.of()));
                people.forEach(person -> backlog.add(call.after(Duration.ofMillis(200)).joined(person)));
                backlog.add(call.after(Duration.ofMillis(200)).left(people.get(0)));
                backlog.add(call.after(Duration.ofMillis(400)).ended());
            }
            rig.stopService(rig.startService(rig.settings("one")));
            // Written ten minutes ago, as the events waiting after an outage were.
            rig.sendWrittenAt(backlog, written);

            rig.startService(rig.settings("one"));
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> count(methods, "calls.end") >= HELD_CALLS);

            assertThat(count(methods, "calls.add")).isEqualTo(HELD_CALLS);
            assertThat(count(methods, "calls.participants.add") + count(methods, "calls.participants.remove"))
                    .as("everyone came with calls.add").isZero();
            assertThat(rig.emulator().calls()).hasSize(HELD_CALLS).allSatisfy(shown -> {
                assertThat(shown.ended()).isTrue();
                assertThat(shown.duration()).as("1.2 s, in whole seconds of the clock").isBetween(1L, 2L);
                assertThat(shown.users()).extracting(CallUser::displayName).containsExactlyInAnyOrder("Two", "Three");
            });
            rig.expect.assertNoSlackErrors();
        }
    }

    /** A rig whose emulator adds each Slack method asked for to {@code methods}. */
    private static BridgeRig recording(String prefix, List<String> methods) {
        return BridgeRig.start(KAFKA, prefix,
                BridgeRig.demoEmulator().requestListener((method, params, at) -> methods.add(method)));
    }

    private static long count(List<String> methods, String method) {
        synchronized (methods) {
            return methods.stream().filter(method::equals).count();
        }
    }
}
