package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.e2e.BridgeRig;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.Faults;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.ObservedCall.BlockStatus;
import dev.callbridge.service.BridgeService;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.WorkspacePartitioner;
import dev.callbridge.topology.CallPartitioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dispatcher on a real broker, sending through the official Slack SDK to the emulator. */
class DispatcherOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final JsonSerde<CallOp> OPS = new JsonSerde<>(CallOp.class);
    private static final JsonSerde<OpResult> RESULTS = new JsonSerde<>(OpResult.class);

    private BridgeRig rig;
    private BridgeService bridge;

    private BridgeRig rig(String prefix, Faults faults) {
        rig = BridgeRig.start(KAFKA, prefix, faults);
        return rig;
    }

    /** The operations these tests write name the demo workspace, which the bridge's one token serves. */
    private BridgeSettings settings() {
        return rig.settings("0").with("BRIDGE_SLACK_DEFAULT_TEAM_ID", DemoWorkspace.TEAM);
    }

    @AfterEach
    void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    /** A call's events in order: two people join, one leaves, the call is renamed and ends. */
    private static List<CallEvent> lifecycle(String callId, int n) {
        CallEvents call = CallEvents.sequenced(callId, "pbx-test", T0.plusSeconds(n));
        return List.of(
                call.started("https://pbx.example/j/" + callId, "Call " + n, null,
                        List.of(Participant.slackUser("U0HOST" + n))),
                call.after(Duration.ofSeconds(2)).joined(Participant.slackUser("U0GUEST" + n)),
                call.after(Duration.ofSeconds(2)).joined(Participant.external("+1555" + n, "Caller " + n)),
                call.after(Duration.ofSeconds(30)).left(Participant.slackUser("U0HOST" + n)),
                call.after(Duration.ofSeconds(1)).updated("Renamed " + n, null, null),
                call.after(Duration.ofSeconds(20)).ended());
    }

    /** The events of many calls, interleaved as a provider would publish them. */
    private static List<CallEvent> interleaved(List<List<CallEvent>> calls) {
        List<CallEvent> all = new ArrayList<>();
        calls.forEach(all::addAll);
        all.sort(Comparator.comparing(CallEvent::time));
        return all;
    }

    private List<CallSnapshot> awaitEnded(List<String> callIds, Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(
                () -> rig.emulator().calls(),
                calls -> callIds.stream().allMatch(id -> calls.stream()
                        .anyMatch(c -> c.externalUniqueId().equals(id) && c.ended())));
    }

    private static void assertMirrored(List<CallSnapshot> calls, List<String> callIds) {
        Map<String, List<CallSnapshot>> byCall = calls.stream()
                .collect(Collectors.groupingBy(CallSnapshot::externalUniqueId));
        for (int n = 0; n < callIds.size(); n++) {
            String id = callIds.get(n);
            assertThat(byCall.get(id)).as("Slack calls for %s", id).hasSize(1);
            CallSnapshot call = byCall.get(id).get(0);
            assertThat(call.ended()).isTrue();
            assertThat(call.duration()).isEqualTo(55L);
            assertThat(call.title()).isEqualTo("Renamed " + n);
            assertThat(call.users()).extracting(DispatcherOnRealBrokerTest::userKey)
                    .containsExactlyInAnyOrder("slack:U0GUEST" + n, "external:+1555" + n);
            assertThat(call.channels()).containsExactly(DemoWorkspace.CHANNEL);
        }
    }

    private static String userKey(CallUser user) {
        return user.slackId() != null ? "slack:" + user.slackId() : "external:" + user.externalId();
    }

    @Test
    void operationsReachSlackInOrderPerCall() {
        rig("order-", Faults.none());
        bridge = rig.startService(settings());
        List<String> callIds = IntStream.range(0, 20).mapToObj(n -> "order-call-" + n).toList();

        rig.send(interleaved(IntStream.range(0, callIds.size())
                .mapToObj(n -> lifecycle(callIds.get(n), n)).toList()));
        List<CallSnapshot> calls = awaitEnded(callIds, Duration.ofSeconds(60));

        assertMirrored(calls, callIds);
        EmulatorStats stats = rig.emulator().stats();
        assertThat(stats.duplicateCallsAdd()).isZero();
        // An operation out of order would have met invalid_call_id or inactive_call.
        stats.methods().forEach((method, counts) -> assertThat(counts.errors()).as(method).isEmpty());
        assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
        assertThat(bridge.isLive() && bridge.isReady()).isTrue();
    }

    @Test
    void a429StormIsRiddenOutWithNothingLostAndNothingSentBeforeItWasDue() {
        rig("storm-", Faults.none().withSeed(42).withRateLimitBursts(0.15, 4, 1));
        SendLog sends = new SendLog();
        bridge = rig.startService(settings(), sends::wrap);
        List<String> callIds = IntStream.range(0, 12).mapToObj(n -> "storm-call-" + n).toList();

        rig.send(interleaved(IntStream.range(0, callIds.size())
                .mapToObj(n -> lifecycle(callIds.get(n), n)).toList()));
        List<CallSnapshot> calls = awaitEnded(callIds, Duration.ofSeconds(90));

        assertMirrored(calls, callIds);
        EmulatorStats stats = rig.emulator().stats();
        long rateLimited = stats.methods().values().stream().mapToLong(c -> c.rateLimited()).sum();
        assertThat(rateLimited).as("the storm happened").isPositive();
        assertThat(stats.duplicateCallsAdd()).isZero();
        assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();

        List<ConsumerRecord<byte[], byte[]>> parked = new ArrayList<>();
        rig.topics.callOpsRetries().forEach(tier -> parked.addAll(rig.committed(tier.topic())));
        assertThat(parked).as("operations waited in retry topics").isNotEmpty();
        for (ConsumerRecord<byte[], byte[]> record : parked) {
            CallOp op = OPS.fromBytes(record.value());
            Instant due = Instant.ofEpochMilli(Long.parseLong(header(record, DispatchHeaders.DUE_AT)));
            Instant release = Instant.ofEpochMilli(Long.parseLong(header(record, DispatchHeaders.RELEASE_AT)));
            assertThat(release).as("handed back no later than due").isBeforeOrEqualTo(due);
            int attempt = Integer.parseInt(header(record, DispatchHeaders.ATTEMPT));
            List<Instant> sent = sends.of(op.opId());
            assertThat(sent).as("attempt %d of %s was made", attempt, op.opId()).hasSizeGreaterThanOrEqualTo(attempt);
            assertThat(sent.get(attempt - 1)).as("attempt %d of %s", attempt, op.opId()).isAfterOrEqualTo(due);
        }
    }

    @Test
    void terminalErrorsAreDeadLetteredWithTheirReasonAndAFailedResult() {
        rig("terminal-", Faults.none());
        bridge = rig.startService(settings());
        CallEvents call = CallEvents.sequenced("terminal-call", "pbx-test", T0);
        rig.send(List.of(
                call.started("https://pbx.example/j/t", "Doomed block", "CUNKNOWN1", List.of()),
                call.after(Duration.ofSeconds(1)).joined(Participant.slackUser("UNKNOWN42")),
                call.after(Duration.ofSeconds(1)).joined(Participant.slackUser("U0REAL")),
                call.after(Duration.ofSeconds(9)).ended()));

        CallState view = await().atMost(Duration.ofSeconds(60)).until(
                () -> rig.views().get("terminal-call"), v -> v != null && v.observed().ended());

        assertThat(view.observed().block()).isEqualTo(BlockStatus.FAILED);
        assertThat(view.observed().rejected()).contains("slack:UNKNOWN42");
        assertThat(view.observed().participants()).containsOnlyKeys("slack:U0REAL");
        List<ConsumerRecord<byte[], byte[]>> dead = rig.committed(rig.topics.callOpsDeadLetters().name());
        // The unknown user may first be refused in a batch with U0REAL, then again on their own.
        assertThat(dead).extracting(r -> DeadLetter.from(r.headers()).orElseThrow().reason())
                .contains("channel_not_found", "user_not_found")
                .containsOnly("channel_not_found", "user_not_found");
        assertThat(dead).allSatisfy(r -> {
            DeadLetter deadLetter = DeadLetter.from(r.headers()).orElseThrow();
            assertThat(deadLetter.origin().topic()).startsWith(rig.topics.callOps().name());
            assertThat(deadLetter.operation().method()).isIn("chat.postMessage", "calls.participants.add");
            assertThat(deadLetter.operation().attempts()).isEqualTo(1);
            assertThat(OPS.fromBytes(r.value()).externalUniqueId()).isEqualTo("terminal-call");
        });
        List<OpResult> failed = rig.committed(rig.topics.callResults().name()).stream()
                .map(r -> RESULTS.fromBytes(r.value()))
                .filter(r -> r instanceof OpResult.Failed)
                .toList();
        assertThat(failed).extracting(r -> ((OpResult.Failed) r).error())
                .contains("channel_not_found", "user_not_found")
                .containsOnly("channel_not_found", "user_not_found")
                .hasSameSizeAs(dead);
        assertThat(rig.emulator().callsWithExternalId("terminal-call")).singleElement()
                .satisfies(c -> assertThat(c.ended()).isTrue());
    }

    @Test
    void anUnknownPersonInCallsAddDoesNotLoseTheCall() {
        rig("unknown-", Faults.none());
        bridge = rig.startService(settings());
        CallEvents call = CallEvents.sequenced("unknown-call", "pbx-test", T0);
        rig.send(List.of(
                call.started("https://pbx.example/j/u", "With a stranger", null,
                        List.of(Participant.slackUser("UNKNOWN42"), Participant.slackUser("U0REAL"))),
                call.after(Duration.ofSeconds(9)).ended()));

        CallState view = await().atMost(Duration.ofSeconds(60)).until(
                () -> rig.views().get("unknown-call"), v -> v != null && v.observed().ended());

        assertThat(view.observed().participants()).containsOnlyKeys("slack:U0REAL");
        assertThat(view.observed().rejected()).containsExactly("slack:UNKNOWN42");
        assertThat(view.observed().refusals()).containsEntry("slack:UNKNOWN42", "user_not_found");
        assertThat(rig.emulator().callsWithExternalId("unknown-call")).singleElement().satisfies(c -> {
            assertThat(c.ended()).isTrue();
            assertThat(c.users()).extracting(DispatcherOnRealBrokerTest::userKey).containsExactly("slack:U0REAL");
            assertThat(c.channels()).containsExactly(DemoWorkspace.CHANNEL);
        });
    }

    @Test
    void anOperationNothingWasHeardOfForItsTimeoutIsNotSentButReportedExpired() {
        rig("expired-", Faults.none());
        bridge = rig.startService(settings());
        CallOp stale = add("expired-call");
        CallOp fresh = add("fresh-call");
        long timeout = Duration.ofMinutes(15).toMillis();
        rig.sendOp(stale, null, Map.of(CallOp.ISSUED_AT_HEADER, Long.toString(System.currentTimeMillis() - 2 * timeout),
                CallOp.TIMEOUT_HEADER, Long.toString(timeout)));
        rig.sendOp(fresh, null, Map.of(CallOp.ISSUED_AT_HEADER, Long.toString(System.currentTimeMillis()),
                CallOp.TIMEOUT_HEADER, Long.toString(timeout)));

        List<OpResult> results = await().atMost(Duration.ofSeconds(60)).until(
                () -> rig.committed(rig.topics.callResults().name()).stream()
                        .map(r -> RESULTS.fromBytes(r.value())).toList(),
                r -> r.size() >= 2);

        assertThat(results).filteredOn(r -> r.opId().equals(stale.opId())).singleElement()
                .isInstanceOf(OpResult.Expired.class);
        assertThat(results).filteredOn(r -> r.opId().equals(fresh.opId())).singleElement()
                .isInstanceOf(OpResult.Succeeded.class);
        assertThat(rig.emulator().callsWithExternalId("expired-call")).isEmpty();
        assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
    }

    @Test
    void aLongWaitForBudgetIsReportedToTheReconcilerOnceAThirdOfTheTimeoutPassedWithoutWord() {
        rig("heard-", Faults.none());
        // One calls.add a minute, the buckets empty at the start: each waits a minute or more, parked in the
        // retry tiers.
        bridge = rig.startService(settings().budget(SlackMethod.CALLS_ADD, 1)
                .with("BRIDGE_SLACK_BUDGET_BURST", "1"));
        long timeout = Duration.ofMinutes(15).toMillis();
        long now = System.currentTimeMillis();
        CallOp silentLong = add("heard-silent");
        CallOp justIssued = add("heard-fresh");
        rig.sendOp(silentLong, null, Map.of(CallOp.ISSUED_AT_HEADER, Long.toString(now - Duration.ofMinutes(6).toMillis()),
                CallOp.TIMEOUT_HEADER, Long.toString(timeout)));
        rig.sendOp(justIssued, null, Map.of(CallOp.ISSUED_AT_HEADER, Long.toString(now),
                CallOp.TIMEOUT_HEADER, Long.toString(timeout)));

        List<ConsumerRecord<byte[], byte[]>> parked = await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
            rig.topics.callOpsRetries().forEach(tier -> all.addAll(rig.committed(tier.topic())));
            return all;
        }, all -> all.size() >= 2);
        List<OpResult> results = rig.committed(rig.topics.callResults().name()).stream()
                .map(r -> RESULTS.fromBytes(r.value())).toList();

        assertThat(results).filteredOn(r -> r.opId().equals(silentLong.opId())).singleElement()
                .isInstanceOf(OpResult.RateLimited.class);
        assertThat(results).filteredOn(r -> r.opId().equals(justIssued.opId())).isEmpty();
        assertThat(parked).filteredOn(r -> OPS.fromBytes(r.value()).opId().equals(silentLong.opId()))
                .allSatisfy(r -> assertThat(header(r, DispatchHeaders.REPORTED_AT)).isNotNull());
        assertThat(parked).filteredOn(r -> OPS.fromBytes(r.value()).opId().equals(justIssued.opId()))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(header(r, DispatchHeaders.REPORTED_AT)).isNull());
    }

    @Test
    void operationsWrittenByCallBeforeTheUpgradeAreMovedToTheirWorkspacesPartitionAndSentOnce() {
        rig("upgrade-", Faults.none());
        SendLog sends = new SendLog();
        bridge = rig.startService(settings(), sends::wrap);
        int home = new WorkspacePartitioner(null).partition(DemoWorkspace.TEAM, BridgeRig.PARTITIONS);
        List<CallOp> ops = IntStream.range(0, 12).mapToObj(n -> add("upgrade-call-" + n)).toList();
        long timeout = Duration.ofMinutes(15).toMillis();
        // As the version before wrote them: on the partition of the call's key, whatever its workspace.
        ops.forEach(op -> rig.sendOp(op, CallPartitioner.partition(op.externalUniqueId(), BridgeRig.PARTITIONS),
                Map.of(CallOp.ISSUED_AT_HEADER, Long.toString(System.currentTimeMillis()),
                        CallOp.TIMEOUT_HEADER, Long.toString(timeout))));
        long elsewhere = ops.stream()
                .filter(op -> CallPartitioner.partition(op.externalUniqueId(), BridgeRig.PARTITIONS) != home).count();

        List<OpResult> results = await().atMost(Duration.ofSeconds(60)).until(
                () -> rig.committed(rig.topics.callResults().name()).stream()
                        .map(r -> RESULTS.fromBytes(r.value())).toList(),
                r -> r.size() >= ops.size());

        assertThat(elsewhere).as("the test needs operations off their workspace's partition").isPositive();
        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(OpResult.Succeeded.class))
                .extracting(OpResult::opId).containsExactlyInAnyOrderElementsOf(ops.stream().map(CallOp::opId).toList());
        ops.forEach(op -> assertThat(sends.of(op.opId())).as("requests for %s", op.opId()).hasSize(1));
        assertThat(rig.emulator().stats().duplicateCallsAdd()).isZero();
        List<ConsumerRecord<byte[], byte[]>> moved = new ArrayList<>();
        rig.topics.callOpsRetries().forEach(tier -> moved.addAll(rig.committed(tier.topic())));
        assertThat(moved).as("moved unsent to the workspace's partition").hasSize((int) elsewhere)
                .allSatisfy(r -> assertThat(r.partition()).isEqualTo(home));
        assertThat(BridgeRig.count(bridge, "bridge.operations.moved")).isEqualTo(elsewhere);
    }

    private static CallOp add(String call) {
        return new CallOp.AddCall(call + ":k0:1:calls.add", call, DemoWorkspace.TEAM, "https://pbx.example/j/" + call,
                null, null, "Waiting", DemoWorkspace.CREATOR, T0.getEpochSecond(), List.of());
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Records when each operation was handed to Slack, in order. */
    static final class SendLog {
        private final Map<String, List<Instant>> sends = new ConcurrentHashMap<>();

        SlackClient wrap(SlackClient client) {
            return op -> {
                sends.computeIfAbsent(op.opId(), id -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(Instant.now());
                SlackAnswer answer = client.send(op);
                return answer;
            };
        }

        List<Instant> of(String opId) {
            return List.copyOf(sends.getOrDefault(opId, List.of()));
        }
    }
}
