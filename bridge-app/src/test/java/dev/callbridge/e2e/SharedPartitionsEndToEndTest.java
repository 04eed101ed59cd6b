package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two bridge instances of one application sharing the partitions, one of them stopped mid-stream. The
 * calls are spread over workspaces on every partition, so both instances send operations until one stops.
 */
class SharedPartitionsEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final int CALLS = 16;

    @Test
    void whenOneOfTwoInstancesStopsMidStreamTheSurvivorFinishesEveryCall() {
        List<String> teams = BridgeRig.teamsOnEveryPartition("T0PAIR");
        CallScenario scenario = CallScenario.lifecycles("e2e-pair-", CALLS, teams);
        List<CallEvent> events = scenario.inOrder();
        int beforeStop = CALLS * 3;
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-pair-", BridgeRig.demoEmulator(), teams)) {
            BridgeService survivor = rig.startService(rig.settings("a").shortSessions());
            BridgeService leaving = rig.startService(rig.settings("b").shortSessions());
            // Both hold partitions of the input and of the operations once the group has settled.
            await().atMost(Duration.ofSeconds(60)).pollInterval(SlackExpectations.POLL)
                    .until(() -> survivor.isReady() && leaving.isReady());

            rig.send(events.subList(0, beforeStop));
            // Stopped while it sends its workspaces' operations.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> rig.emulator().stats().of(ApiMethod.CALLS_ADD).requests() >= CALLS / 4
                            && BridgeRig.count(leaving, "bridge.slack.requests") > 0);
            rig.stopService(leaving);
            rig.send(events.subList(beforeStop, events.size()));

            rig.expect.awaitConverged(scenario.expected());
            // A clean stop commits what it sent, so nothing is sent twice.
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.expect.assertNoSlackErrors();
            assertThat(survivor.isLive()).isTrue();
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
        }
    }
}
