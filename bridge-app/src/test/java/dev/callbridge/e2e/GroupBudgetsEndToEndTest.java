package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.RateLimit;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.GroupType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A workspace's rate budget holds for the consumer group, not per instance: three bridge instances,
 * each given the budget Slack grants the workspace, and calls of three workspaces arriving at ten times
 * that budget. Slack (the emulator) counts each workspace's requests from all instances together in
 * windows of five seconds; the third instance joins while the backlog drains, so the group hands
 * workspaces over in the middle of it.
 */
class GroupBudgetsEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    /** Slack's limit per workspace: five calls.add in any window of five seconds, sixty a minute. */
    private static final RateLimit SLACK_LIMIT = new RateLimit(5, 5);
    /** Each instance's budget per workspace, a little under Slack's, as a deployment would set it. */
    private static final int BUDGET_PER_MINUTE = 50;
    /** Ten times the budget for three seconds: 25 calls a workspace, half a minute of budget. */
    private static final int CALLS_PER_WORKSPACE = 25;
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5));

    /**
     * @param groupProtocol the dispatchers' consumer group protocol ({@code kafka.consumer.group.protocol}):
     *     Kafka's classic one, or {@code consumer}, where the broker assigns the partitions
     */
    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void threeInstancesUnderTenTimesTheBudgetKeepEachWorkspaceWithinItAsSlackCountsIt(String groupProtocol)
            throws Exception {
        List<String> teams = BridgeRig.teamsOnEveryPartition("T0BUDGET");
        Map<String, List<Instant>> addsByTeam = new ConcurrentHashMap<>();
        teams.forEach(team -> addsByTeam.put(team, Collections.synchronizedList(new ArrayList<>())));
        var emulator = BridgeRig.demoEmulator()
                .rateLimits(RateLimits.unlimited().with(ApiMethod.CALLS_ADD, SLACK_LIMIT))
                .requestListener((method, params, at) -> {
                    if (method.equals("calls.add")) {
                        addsByTeam.get(teamOf(params.get("external_unique_id"))).add(at);
                    }
                });
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-budgets-" + groupProtocol + "-", emulator, teams)) {
            List<BridgeService> instances = new ArrayList<>();
            instances.add(rig.startService(settings(rig, "a", groupProtocol)));
            instances.add(rig.startService(settings(rig, "b", groupProtocol)));

            List<List<CallEvent>> seconds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int n = 0; n < CALLS_PER_WORKSPACE; n++) {
                for (String team : teams) {
                    seconds.get(n * seconds.size() / CALLS_PER_WORKSPACE).addAll(startedAndEnded(team, n));
                }
            }
            for (List<CallEvent> second : seconds) {
                rig.send(second);
                sleep(Duration.ofSeconds(1));
            }
            // The third joins mid-drain: the group rebalances and workspaces change hands.
            await().atMost(Duration.ofSeconds(30)).until(() -> rig.emulator().stats().of(ApiMethod.CALLS_ADD).ok() >= 9);
            instances.add(rig.startService(settings(rig, "c", groupProtocol)));

            int calls = CALLS_PER_WORKSPACE * teams.size();
            await().atMost(Duration.ofSeconds(120)).pollInterval(SlackExpectations.POLL)
                    .until(() -> rig.emulator().stats().of(ApiMethod.CALLS_END).ok() >= calls);

            EmulatorStats stats = rig.emulator().stats();
            for (String team : teams) {
                assertThat(stats.of(team, ApiMethod.CALLS_ADD)).as("calls.add in %s", team).satisfies(adds -> {
                    assertThat(adds.rateLimited()).as("answered 429").isZero();
                    assertThat(adds.ok()).isEqualTo(CALLS_PER_WORKSPACE);
                    assertThat(adds.requests()).isEqualTo(CALLS_PER_WORKSPACE);
                });
                assertThat(mostWithin(addsByTeam.get(team), Duration.ofSeconds(SLACK_LIMIT.windowSeconds())))
                        .as("most calls.add of %s within any %d s", team, SLACK_LIMIT.windowSeconds())
                        .isLessThanOrEqualTo(SLACK_LIMIT.requests());
            }
            assertThat(stats.duplicateCallsAdd()).isZero();
            assertThat(instances).as("every instance paced some workspace")
                    .allSatisfy(bridge -> assertThat(BridgeRig.count(bridge, "bridge.slack.requests")).isPositive());
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            String group = BridgeRig.config(settings(rig, "a", groupProtocol)).applicationId() + "-dispatcher";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, rig.bootstrapServers()))) {
                assertThat(admin.describeConsumerGroups(List.of(group)).all().get().get(group).type())
                        .as("the dispatchers' group as the broker runs it").isEqualTo(GroupType.parse(groupProtocol));
            }
        }
    }

    private static BridgeSettings settings(BridgeRig rig, String instance, String groupProtocol) {
        return rig.settings(instance).budget(SlackMethod.CALLS_ADD, BUDGET_PER_MINUTE)
                .with("BRIDGE_SLACK_BUDGET_BURST", "1")
                .with("BRIDGE_KAFKA_CONSUMER_GROUP_PROTOCOL", groupProtocol);
    }

    /** A call of {@code team} that starts and ends at once: its calls.add is paced, the rest is not. */
    private static List<CallEvent> startedAndEnded(String team, int n) {
        CallEvents call = CallEvents.sequenced(team + "-call-" + n, "pbx-e2e", T0.plusSeconds(n));
        return List.of(call.started(new CallEventData.Started("https://pbx.example/j/" + call.callId(), null, null,
                        "Call " + n, null, call.now().getEpochSecond(), null, team, List.of())),
                call.after(Duration.ofSeconds(30)).ended());
    }

    private static String teamOf(String call) {
        return call.substring(0, call.indexOf("-call-"));
    }

    /** The most requests that reached Slack within any {@code window}. */
    private static int mostWithin(List<Instant> times, Duration window) {
        List<Instant> sorted;
        synchronized (times) {
            sorted = times.stream().sorted().toList();
        }
        int most = 0;
        int first = 0;
        for (int last = 0; last < sorted.size(); last++) {
            while (!sorted.get(first).plus(window).isAfter(sorted.get(last))) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
