package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.testkit.KafkaBrokerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Whole calls through the real bridge, the broker and the Slack emulator, in order and scrambled. */
class CallLifecycleEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void twentyWholeLifecyclesEachBecomeOneSlackCallWithTheRightPeopleTitleAndEnd() {
        CallScenario scenario = CallScenario.lifecycles("e2e-life-", 20);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-life-")) {
            rig.startService(rig.settings("one"));
            rig.send(scenario.inOrder());

            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.expect.assertNoSlackErrors();
            EmulatorStats stats = rig.emulator().stats();
            assertThat(stats.of(ApiMethod.CHAT_POST_MESSAGE).requests()).as("one call block per call").isEqualTo(20);
            // The rename goes out once per call, or rides on calls.add when it arrives before the add is sent.
            assertThat(stats.of(ApiMethod.CALLS_UPDATE).requests()).isLessThanOrEqualTo(20);
            // Seven events a call; coalescing means a call never costs more requests than it has events.
            assertThat(rig.expect.totalRequests()).isLessThanOrEqualTo(scenario.eventCount());
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            assertThat(rig.committed(rig.topics.callEventsDeadLetters().name())).isEmpty();
        }
    }

    @Test
    void everyEventTwiceWithNeighboursSwappedEndsInTheSameSlackState() {
        CallScenario scenario = CallScenario.lifecycles("e2e-dup-", 12);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-dup-")) {
            rig.startService(rig.settings("one"));
            rig.send(scenario.duplicatedAndSwapped());

            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.expect.assertNoSlackErrors();
            EmulatorStats stats = rig.emulator().stats();
            assertThat(stats.of(ApiMethod.CHAT_POST_MESSAGE).requests()).isEqualTo(12);
            assertThat(stats.of(ApiMethod.CALLS_UPDATE).requests()).isLessThanOrEqualTo(12);
            // Duplicates are dropped, so the doubled stream costs no more than the events of one copy.
            assertThat(rig.expect.totalRequests()).isLessThanOrEqualTo(scenario.eventCount());
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
        }
    }
}
