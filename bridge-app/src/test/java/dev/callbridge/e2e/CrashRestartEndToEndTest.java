package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.Faults;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code bridge run} killed with SIGKILL in the middle of the stream and started again on the same state. */
class CrashRestartEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int CALLS = 24;

    @Test
    void aBridgeKilledMidStreamAndRestartedConvergesEveryCall() throws Exception {
        CallScenario scenario = CallScenario.lifecycles("e2e-crash-", CALLS);
        List<CallEvent> events = scenario.inOrder();
        // The first three events of every call before the kill, the rest while the bridge is down.
        int beforeKill = CALLS * 3;
        // Some answers are slow, so the kill is likely to land while requests are in flight.
        Faults slowSometimes = Faults.none().withSeed(3).withSlowAnswers(0.3, 150);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-crash-", slowSometimes)) {
            BridgeSettings env = rig.settings("pod-0");
            Process first = rig.launchProcess(env, "first");
            rig.send(events.subList(0, beforeKill));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                    .until(() -> rig.emulator().stats().of(ApiMethod.CALLS_ADD).requests() >= CALLS / 3);
            first.destroyForcibly().waitFor();
            Set<String> addedBeforeKill = rig.expect.callsByExternalId().keySet();

            rig.send(events.subList(beforeKill, events.size()));
            // Same instance id and state directory, as a restarted pod: it takes its partitions straight back.
            rig.launchProcess(env, "second");

            Map<String, List<CallSnapshot>> calls = rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertOnlyRepeatErrors();
            long duplicates = rig.emulator().stats().duplicateCallsAdd();
            Set<String> repeated = calls.entrySet().stream().filter(e -> e.getValue().size() > 1)
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            long leftLive = calls.values().stream().flatMap(c -> c.subList(0, c.size() - 1).stream())
                    .filter(c -> !c.ended()).count();
            System.out.printf("crash test: %d calls in Slack at the kill, %d duplicate calls.add after the restart,"
                    + " %d superseded Slack calls left live%n", addedBeforeKill.size(), duplicates, leftLive);
            // The dispatcher commits a polled batch's results in one transaction after the whole batch has been
            // answered. A calls.add that Slack applied but whose batch was not committed when the process died
            // is sent again on restart, and Slack has no lookup by external_unique_id to stop it. So repeats
            // are possible only for calls Slack already held at the kill, and at most once each. How many
            // depends on whether the first process had committed before it died: on a loaded machine its
            // first transaction can take seconds, so a bound tighter than "held at the kill" would flake.
            assertThat(repeated).as("calls registered twice").isSubsetOf(addedBeforeKill);
            assertThat(duplicates).as("each repeated call repeated once").isEqualTo(repeated.size());
            // Each repeat leaves the Slack call it superseded live: the known gap, counted so that it shows.
            assertThat(leftLive).isEqualTo(duplicates);
            calls.forEach((id, snapshots) -> assertThat(snapshots).as("Slack calls for %s", id).hasSizeLessThanOrEqualTo(2));
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            assertThat(rig.committed(rig.topics.callEventsDeadLetters().name())).isEmpty();
            assertThat(Files.readString(rig.log("second"))).contains("Bridge started");
        }
    }
}
