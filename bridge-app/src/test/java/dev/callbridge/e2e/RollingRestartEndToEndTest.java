package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A group of two {@code bridge run} processes restarted one at a time under traffic, as a StatefulSet's
 * rolling update does: SIGTERM, wait for the exit, start again with the same instance id and state,
 * wait for {@code /readyz}, then the next. Each comes back as the same static member, so the other
 * goes through no rebalance (its dispatcher is given nothing new, its {@code /readyz} never falters),
 * and every call shows in Slack once.
 */
class RollingRestartEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /** What the dispatcher logs on every assignment it is given; a rebalance of its group gives one. */
    private static final String ASSIGNED = "Dispatcher assigned";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** One instance: its settings (own port, id and state) and the process running it now. */
    private static final class Pod {
        final String name;
        final BridgeSettings settings;
        final int port;
        Process process;
        String log;

        Pod(String name, BridgeSettings settings, int port) {
            this.name = name;
            this.settings = settings;
            this.port = port;
        }
    }

    @Test
    void aGroupRestartedOneAtATimeUnderTrafficShowsEveryCallOnceAndTheOtherInstanceNeverRebalances() throws Exception {
        List<String> teams = BridgeRig.teamsOnEveryPartition("T0ROLL");
        CallScenario scenario = CallScenario.lifecycles("e2e-roll-", 18, teams);
        List<CallEvent> events = scenario.inOrder();
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-roll-", BridgeRig.demoEmulator(), teams)) {
            List<Pod> pods = new ArrayList<>();
            for (String name : List.of("pod-0", "pod-1")) {
                int port = Ports.free();
                pods.add(new Pod(name, rig.settings(name).with("BRIDGE_HTTP_PORT", Integer.toString(port)), port));
            }
            for (Pod pod : pods) {
                launch(rig, pod, 1);
            }
            for (Pod pod : pods) {
                awaitReady(pod);
            }

            int third = events.size() / 3;
            rig.send(events.subList(0, third));
            // The highest ordinal first, as a StatefulSet rolls.
            roll(rig, pods.get(1), pods.get(0), events.subList(third, 2 * third));
            roll(rig, pods.get(0), pods.get(1), events.subList(2 * third, events.size()));

            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertOnlyRepeatErrors();
            assertThat(rig.emulator().stats().duplicateCallsAdd()).isZero();
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            assertThat(rig.committed(rig.topics.callEventsDeadLetters().name())).isEmpty();
        }
    }

    /**
     * Stops {@code pod} with SIGTERM while {@code traffic} arrives, starts it again and waits until it is
     * ready; {@code other} must stay ready throughout and go through no rebalance.
     */
    private void roll(BridgeRig rig, Pod pod, Pod other, List<CallEvent> traffic) throws Exception {
        AtomicInteger notReady = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watch = new Thread(() -> {
            while (watching.get()) {
                if (status(other, "/readyz") != 200) {
                    notReady.incrementAndGet();
                }
                sleep(100);
            }
        }, "readiness-watch");
        watch.start();
        String otherLogBefore = Files.readString(rig.log(other.log));
        try {
            pod.process.destroy();
            assertThat(pod.process.waitFor(30, TimeUnit.SECONDS)).as("%s stopped within 30 s of SIGTERM", pod.name)
                    .isTrue();
            assertThat(Files.readString(rig.log(pod.log))).contains("Bridge stopped");
            rig.send(traffic);
            launch(rig, pod, 2);
            awaitReady(pod);
            // Past the moment a rejoin could have set off a rebalance of the group.
            sleep(3_000);
        } finally {
            watching.set(false);
            watch.join();
        }
        String otherLogSince = Files.readString(rig.log(other.log)).substring(otherLogBefore.length());
        assertThat(otherLogSince).as("%s's log while %s restarted", other.name, pod.name).doesNotContain(ASSIGNED);
        assertThat(notReady.get()).as("probes of %s that were not 200 while %s restarted", other.name, pod.name).isZero();
    }

    private void launch(BridgeRig rig, Pod pod, int incarnation) {
        pod.log = pod.name + "-" + incarnation;
        pod.process = rig.launchProcess(pod.settings, pod.log);
    }

    private void awaitReady(Pod pod) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(pod.process.isAlive()).as("%s is running", pod.name).isTrue();
                    return status(pod, "/readyz") == 200;
                });
    }

    private int status(Pod pod, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pod.port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
