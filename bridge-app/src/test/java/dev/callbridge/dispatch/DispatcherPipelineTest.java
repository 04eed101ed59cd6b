package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.e2e.BridgeRig;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.service.BridgeService;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.WorkspacePartitioner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dispatcher keeps answering while one request hangs, and a restart sends only what was in flight. */
class DispatcherPipelineTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final String PREFIX = "pipe-";
    private static final String SLOW_CALL = "pipe-slow";
    private static final JsonSerde<CallOp> OPS = new JsonSerde<>(CallOp.class);
    private static final JsonSerde<OpResult> RESULTS = new JsonSerde<>(OpResult.class);

    private final CountDownLatch hang = new CountDownLatch(1);
    private final AtomicBoolean hanging = new AtomicBoolean(true);
    private BridgeRig rig;

    /** The operations these tests write name the demo workspace, which the bridge's one token serves. */
    private BridgeSettings settings() {
        return rig.settings("0").with("BRIDGE_SLACK_DEFAULT_TEAM_ID", DemoWorkspace.TEAM);
    }

    @AfterEach
    void stop() {
        hang.countDown();
        if (rig != null) {
            rig.close();
        }
    }

    /** Holds the slow call's request until the test ends; the request never reaches Slack. */
    private SlackClient hangingOnTheSlowCall(SlackClient slackClient) {
        return op -> {
            if (op.externalUniqueId().equals(SLOW_CALL) && hanging.get()) {
                try {
                    hang.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new SlackAnswer.NoAnswer("abandoned by the test");
            }
            return slackClient.send(op);
        };
    }

    private static CallOp add(String call) {
        return new CallOp.AddCall(CallOp.opId(call, 1, SlackMethod.CALLS_ADD), call, DemoWorkspace.TEAM,
                "https://pbx.example/j/" + call, null, null, "Call " + call, DemoWorkspace.CREATOR, 1_772_442_000L,
                List.of(Participant.slackUser("U0HOST")));
    }

    private Set<String> answeredOps() {
        return rig.committed(rig.topics.callResults().name()).stream()
                .map(record -> RESULTS.fromBytes(record.value()))
                .filter(result -> result instanceof OpResult.Succeeded)
                .map(OpResult::opId)
                .collect(Collectors.toSet());
    }

    private long callsAddRequests() {
        return rig.emulator().stats().of(ApiMethod.CALLS_ADD).requests();
    }

    @Test
    void aHangingRequestHoldsBackNoOtherAnswerAndARestartSendsOnlyWhatWasInFlight() throws Exception {
        rig = BridgeRig.start(KAFKA, PREFIX);
        BridgeSettings settings = settings().with("BRIDGE_SLACK_TIMEOUT", "1s");
        BridgeService bridge = rig.startService(settings, this::hangingOnTheSlowCall);
        List<String> fastCalls = IntStream.range(0, 5).mapToObj(n -> "pipe-fast-" + n).toList();
        // The demo workspace's partition: there the dispatcher takes them in.
        TopicPartition ops = new TopicPartition(rig.topics.callOps().name(),
                new WorkspacePartitioner(null).partition(DemoWorkspace.TEAM, BridgeRig.PARTITIONS));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            // One partition, the hanging operation first: everything after it finishes before it.
            producer.send(new ProducerRecord<>(ops.topic(), ops.partition(), SLOW_CALL, OPS.toBytes(add(SLOW_CALL))));
            fastCalls.forEach(call -> producer.send(
                    new ProducerRecord<>(ops.topic(), ops.partition(), call, OPS.toBytes(add(call)))));
        }

        Set<String> fastOps = fastCalls.stream().map(call -> add(call).opId()).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(30)).until(() -> answeredOps().containsAll(fastOps));
        assertThat(answeredOps()).doesNotContain(add(SLOW_CALL).opId());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            OffsetAndMetadata committed = await().atMost(Duration.ofSeconds(10)).until(
                    () -> admin.listConsumerGroupOffsets(BridgeRig.config(settings).dispatcher().groupId()).partitionsToOffsetAndMetadata()
                            .get().get(ops),
                    offset -> offset != null && !offset.metadata().isEmpty());
            assertThat(committed.offset()).as("held at the hanging operation").isZero();
            // The five answered above it, and the hanging calls.add named as possibly sent.
            assertThat(committed.metadata()).isEqualTo("v2;f=1-5;s=0");
        }

        // A stop gives up on the hanging request after the request timeout, as a crash would lose it.
        rig.stopService(bridge);
        assertThat(callsAddRequests()).isEqualTo(5);
        hanging.set(false);
        bridge = rig.startService(settings);

        await().atMost(Duration.ofSeconds(30)).until(() -> answeredOps().contains(add(SLOW_CALL).opId()));
        assertThat(callsAddRequests()).as("only the operation that was in flight is sent again").isEqualTo(6);
        assertThat(BridgeRig.count(bridge, "bridge.calls.add.uncertain")).as("and counted as a calls.add that may be repeated")
                .isEqualTo(1.0);
        assertThat(rig.emulator().stats().duplicateCallsAdd()).isZero();
        assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
    }

    @Test
    void operationsWaitingSecondsForTheirSlotWaitInMemoryAndGoAtThePace() {
        rig = BridgeRig.start(KAFKA, "pace-");
        // Two calls.add a second: the fourth of four sent at once waits 1.5 s, within the 5 s inline wait.
        rig.startService(settings().budget(SlackMethod.CALLS_ADD, 120).with("BRIDGE_SLACK_BUDGET_BURST", "1"));
        List<String> calls = IntStream.range(0, 4).mapToObj(n -> "pace-call-" + n).toList();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            calls.forEach(call -> producer.send(new ProducerRecord<>(rig.topics.callOps().name(),
                    new WorkspacePartitioner(null).partition(DemoWorkspace.TEAM, BridgeRig.PARTITIONS), call,
                    OPS.toBytes(add(call)))));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> callsAddRequests() == 4
                && rig.committed(rig.topics.callResults().name()).size() == 4);
        List<Long> answered = rig.committed(rig.topics.callResults().name()).stream()
                .map(record -> Long.parseLong(new String(
                        record.headers().lastHeader(OpResult.WRITTEN_AT_HEADER).value(), StandardCharsets.US_ASCII)))
                .sorted().toList();
        for (int i = 1; i < answered.size(); i++) {
            assertThat(answered.get(i) - answered.get(i - 1)).as("gap before answer %d", i).isGreaterThanOrEqualTo(400);
        }
        rig.topics.callOpsRetries().forEach(tier -> assertThat(rig.committed(tier.topic()))
                .as("parked in %s", tier.topic()).isEmpty());
    }
}
