package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.Faults;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code bridge run} stopped with SIGTERM finishes its work, commits, and leaves nothing to resend. */
class GracefulShutdownEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void sigtermStopsTheBridgeCleanlyAndARestartSendsNothingAgain() throws Exception {
        CallScenario scenario = CallScenario.lifecycles("e2e-term-", 6);
        List<CallEvent> events = scenario.inOrder();
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-term-", Faults.none())) {
            BridgeSettings env = rig.settings("pod-0");
            Process first = rig.launchProcess(env, "first");
            rig.send(events);
            rig.expect.awaitConverged(scenario.expected());

            first.destroy();
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stopped within a minute of SIGTERM").isTrue();
            assertThat(Files.readString(rig.log("first"))).contains("Stopping the bridge").contains("Bridge stopped");
            EmulatorStats before = rig.emulator().stats();

            Process second = rig.launchProcess(env, "second");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90))
                    .until(() -> Files.readString(rig.log("second")).contains("Bridge started"));
            // Time for the restarted bridge to read anything left uncommitted, were there any.
            Thread.sleep(5_000);
            second.destroy();
            second.waitFor(60, TimeUnit.SECONDS);

            assertThat(rig.emulator().stats()).isEqualTo(before);
            assertThat(rig.emulator().stats().duplicateCallsAdd()).isZero();
        }
    }
}
