package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.Faults;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A dispatcher killed with SIGKILL in the middle of the stream, and a new one started in its place. */
class DispatcherCrashTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    private final List<Process> processes = new ArrayList<>();
    private SlackEmulator slack;
    private RunningBridge bridge;

    @TempDir
    Path logs;

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (bridge != null) {
            bridge.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    private Process launchDispatcher(String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DispatcherProcess.class.getName(), KAFKA.bootstrapServers(), "crash-", slack.baseUrl());
        builder.environment().put("SLACK_TOKEN", RunningBridge.TOKEN);
        builder.redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile());
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static List<CallEvent> lifecycle(String callId, int n) {
        CallEvents call = CallEvents.sequenced(callId, "pbx-crash", T0.plusSeconds(n));
        return List.of(
                call.started("https://pbx.example/j/" + callId, "Call " + n, null, List.of()),
                call.after(Duration.ofSeconds(1)).joined(Participant.slackUser("U0A" + n)),
                call.after(Duration.ofSeconds(1)).joined(Participant.slackUser("U0B" + n)),
                call.after(Duration.ofSeconds(5)).left(Participant.slackUser("U0A" + n)),
                call.after(Duration.ofSeconds(5)).ended());
    }

    @Test
    void aDispatcherKilledMidStreamAndReplacedLosesNothing() throws Exception {
        // Some answers are slow, so the kill is likely to land while requests are in flight.
        slack = SlackEmulator.builder().port(0).token(RunningBridge.TOKEN, RunningBridge.TEAM)
                .rateLimits(RateLimits.unlimited())
                .faults(Faults.none().withSeed(3).withSlowAnswers(0.3, 150))
                .build().start();
        bridge = new RunningBridge(KAFKA, slack, "crash-", UnaryOperator.identity(), UnaryOperator.identity())
                .startStreams();
        List<String> callIds = IntStream.range(0, 30).mapToObj(n -> "crash-call-" + n).toList();
        List<CallEvent> events = new ArrayList<>();
        IntStream.range(0, callIds.size()).forEach(n -> events.addAll(lifecycle(callIds.get(n), n)));
        events.sort(Comparator.comparing(CallEvent::time));

        long begin = System.nanoTime();
        Process first = launchDispatcher("first");
        bridge.sendAll(events);
        await().atMost(Duration.ofSeconds(60)).until(() -> totalRequests() >= 40);
        first.destroyForcibly().waitFor();
        long requestsAtKill = totalRequests();
        long killedAt = System.nanoTime();
        launchDispatcher("second");

        List<CallSnapshot> calls = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(
                () -> slack.client().calls(),
                all -> callIds.stream().allMatch(id -> all.stream()
                        .anyMatch(c -> c.externalUniqueId().equals(id) && c.ended())));

        Map<String, List<CallSnapshot>> byCall = calls.stream()
                .collect(Collectors.groupingBy(CallSnapshot::externalUniqueId));
        long duplicates = slack.client().stats().duplicateCallsAdd();
        System.out.printf("crash test: %d requests before the kill at %d ms, converged %d ms after it,"
                        + " %d duplicate calls.add%n", requestsAtKill, (killedAt - begin) / 1_000_000,
                (System.nanoTime() - killedAt) / 1_000_000, duplicates);
        for (int n = 0; n < callIds.size(); n++) {
            // The bridge drives one Slack call per call: the last one it added.
            List<CallSnapshot> driven = byCall.get(callIds.get(n)).stream().filter(CallSnapshot::ended).toList();
            assertThat(driven).as("ended Slack calls for %s", callIds.get(n)).hasSize(1);
            assertThat(driven.get(0).users()).extracting(u -> u.slackId()).containsExactly("U0B" + n);
        }
        // A calls.add answered by Slack but not yet committed when the process died is sent again,
        // and the first Slack call stays live (the known gap): at most what can be in flight.
        assertThat(duplicates).isLessThanOrEqualTo(16)
                .isEqualTo(calls.stream().filter(c -> !c.ended()).count());
        assertThat(bridge.committed(bridge.topics.callOpsDeadLetters().name())).isEmpty();
        assertThat(Files.readString(logs.resolve("second.log"))).contains("dispatcher started");
    }

    private long totalRequests() {
        return slack.client().stats().methods().values().stream().mapToLong(c -> c.requests()).sum();
    }
}
