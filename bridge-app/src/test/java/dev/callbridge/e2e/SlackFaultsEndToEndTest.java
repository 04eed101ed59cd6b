package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.Faults;
import dev.callbridge.emulator.MethodCounts;
import dev.callbridge.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Slack misbehaving under the real bridge: rate-limit storms and the fault mix of SPEC §9. */
class SlackFaultsEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void aStormOf429sIsRiddenOutWithNothingDeadLettered() {
        CallScenario scenario = CallScenario.lifecycles("e2e-storm-", 10);
        // A third of requests open a burst: that request and the next four of its method get 429, Retry-After 1 s.
        Faults storm = Faults.none().withSeed(11).withRateLimitBursts(0.3, 5, 1);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-storm-", storm)) {
            rig.startService(rig.settings("one"));
            rig.send(scenario.inOrder());

            rig.expect.awaitConverged(scenario.expected());
            // A 429 is never applied, so even a storm of them must not register a call twice.
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.expect.assertNoSlackErrors();
            long rateLimited = rig.emulator().stats().methods().values().stream()
                    .mapToLong(MethodCounts::rateLimited).sum();
            assertThat(rateLimited).as("429 answers during the storm").isGreaterThanOrEqualTo(10);
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
        }
    }

    @Test
    void tenPercent429FivePercent5xxAndTwoPercentTimeoutsStillConvergeWithNoDeadLetters() {
        CallScenario scenario = CallScenario.lifecycles("e2e-faults-", 20);
        // Timeouts are answers held back past the bridge's Slack timeout; the emulator applies them first,
        // as Slack does with a request whose answer is lost on the way back.
        Faults spec = Faults.none().withSeed(5)
                .withRateLimitBursts(0.10, 1, 1)
                .withServerErrors(0.05)
                .withSlowAnswers(0.02, 2_500);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-faults-", spec)) {
            rig.startService(rig.settings("one").with("BRIDGE_SLACK_TIMEOUT", "1s"));
            rig.send(scenario.inOrder());

            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertOnlyRepeatErrors();
            EmulatorStats stats = rig.emulator().stats();
            long rateLimited = stats.methods().values().stream().mapToLong(MethodCounts::rateLimited).sum();
            long serverErrors = stats.methods().values().stream().mapToLong(MethodCounts::serverErrors).sum();
            long timedOut = stats.methods().values().stream().mapToLong(MethodCounts::delayed).sum();
            MethodCounts adds = stats.of(ApiMethod.CALLS_ADD);
            System.out.printf("faults test: %d requests, %d x 429, %d x 5xx, %d timed out (%d of them calls.add),"
                            + " %d duplicate calls.add%n", rig.expect.totalRequests(), rateLimited, serverErrors,
                    timedOut, adds.delayed(), stats.duplicateCallsAdd());
            assertThat(rateLimited).as("injected 429s").isPositive();
            assertThat(serverErrors).as("injected 5xx").isPositive();
            // Only a calls.add whose answer timed out after Slack applied it is sent again and registers a
            // second call: Slack cannot look a call up by external_unique_id. Nothing else may repeat it.
            assertThat(stats.duplicateCallsAdd()).isLessThanOrEqualTo(adds.delayed());
            // Every fault here is transient; only terminal Slack errors may be dead-lettered, and there are none.
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            assertThat(rig.committed(rig.topics.callEventsDeadLetters().name())).isEmpty();
        }
    }
}
