package dev.callbridge.devkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.slack.SlackTokens;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The throughput part's ceilings, each on a real emulator (and the naive consumer on a real broker):
 * the traffic they all read, the naive consumer's one request per event, and the Slack side alone
 * sending the bridge's operations again.
 */
class CeilingsTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final BenchWorkspaces WORKSPACES = new BenchWorkspaces(20);

    @Test
    void theTrafficIsEveryCallsBurstInTimeOrderOverTheWorkspacesWithAboutOneEventInTenSentTwice() {
        List<CallEvent> traffic = BenchCalls.traffic("c-", 300, WORKSPACES);

        List<CallEvent> distinct = traffic.stream().distinct().toList();
        assertThat(distinct).hasSize(300 * BenchCalls.BURST_EVENTS);
        assertThat(distinct).isSortedAccordingTo(Comparator.comparing(CallEvent::time));
        int repeats = traffic.size() - distinct.size();
        assertThat(repeats).isBetween(distinct.size() / 20, distinct.size() * 3 / 20);
        for (int i = 1; i < traffic.size(); i++) {
            if (traffic.subList(0, i).contains(traffic.get(i))) {
                assertThat(traffic.get(i)).as("a repeat comes right after its original").isEqualTo(traffic.get(i - 1));
            }
        }
        List<CallEventData.Started> starts = distinct.stream()
                .filter(e -> e.type() == CallEventType.STARTED)
                .map(e -> (CallEventData.Started) e.data())
                .toList();
        assertThat(starts.stream().map(CallEventData.Started::teamId).collect(Collectors.toSet()))
                .hasSize(WORKSPACES.count());
        assertThat(starts).allSatisfy(start -> assertThat(start.channel())
                .isEqualTo(start.teamId().replace("T0BENCH", "C0BENCH")));
        assertThat(traffic).isEqualTo(BenchCalls.traffic("c-", 300, WORKSPACES));
    }

    @Test
    void theNaiveConsumerSendsOneRequestPerEventAndTheBlockRepeatsAndAll() throws Exception {
        String topic = "naive-events";
        KAFKA.createTopics(3, topic);
        List<CallEvent> first = BenchCalls.burst("naive-1", 1, Instant.now(), WORKSPACES.team(1), WORKSPACES.channel(1));
        List<CallEvent> second = BenchCalls.burst("naive-2", 2, Instant.now(), WORKSPACES.team(2), WORKSPACES.channel(2));
        List<CallEvent> events = new ArrayList<>(first);
        events.add(2, first.get(1)); // a join sent twice
        int secondStart = events.size();
        events.addAll(second);
        events.add(secondStart + 1, second.get(0)); // a start sent twice
        send(topic, events);

        try (SlackEmulator slack = WORKSPACES.emulator().build().start();
                SdkSlackClient client = client(slack);
                NaiveBridge naive = new NaiveBridge(KAFKA.bootstrapServers(), "naive", topic, client, 4,
                        DemoWorkspace.CHANNEL, DemoWorkspace.CREATOR).start()) {
            EmulatorClient emulator = slack.client();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        naive.assertRunning();
                        return emulator.stats().of(ApiMethod.CALLS_END).requests() >= 2;
                    });

            EmulatorStats stats = emulator.stats();
            assertThat(stats.of(ApiMethod.CALLS_ADD).requests()).isEqualTo(3);
            assertThat(stats.of(ApiMethod.CHAT_POST_MESSAGE).requests()).isEqualTo(3);
            assertThat(stats.of(ApiMethod.CALLS_PARTICIPANTS_ADD).requests()).isEqualTo(11);
            assertThat(stats.of(ApiMethod.CALLS_PARTICIPANTS_REMOVE).requests()).isEqualTo(4);
            assertThat(stats.of(ApiMethod.CALLS_END).requests()).isEqualTo(2);
            assertThat(stats.of(ApiMethod.CALLS_PARTICIPANTS_ADD).errors()).containsEntry("bad_users", 1L);
            assertThat(stats.duplicateCallsAdd()).isEqualTo(1);
            assertThat(naive.skipped()).isZero();
            CallSnapshot call = emulator.callsWithExternalId("naive-1").get(0);
            assertThat(call.ended()).isTrue();
            assertThat(call.teamId()).isEqualTo(WORKSPACES.team(1));
            assertThat(call.channels()).containsExactly(WORKSPACES.channel(1));
            assertThat(call.users()).extracting(CallUser::externalId)
                    .containsExactlyInAnyOrder("+1555101", "+1555102", "+1555103");
        }
    }

    @Test
    void theSlackSideAloneSendsTheBridgesOperationsAgainEachCallsOnTheCallItsOwnAddCreated() throws Exception {
        List<CallOp> ops = new ArrayList<>();
        for (int n = 0; n < 6; n++) {
            String id = "alone-" + n;
            String team = WORKSPACES.team(n);
            ops.add(new CallOp.AddCall(id + ":1", id, team, "https://pbx.example/j/" + id, null, null, "Call " + n,
                    DemoWorkspace.CREATOR, 1_700_000_000L, List.of(Participant.external("+1" + n, "Caller"))));
            // The ids of the bridge's run, which this emulator never issued.
            ops.add(new CallOp.PostCallBlock(id + ":2", id, team, "R0BRIDGERUN" + n, WORKSPACES.channel(n), "Call " + n));
            ops.add(new CallOp.AddParticipants(id + ":3", id, team, "R0BRIDGERUN" + n,
                    List.of(Participant.slackUser("U0JOINED" + n))));
            ops.add(new CallOp.EndCall(id + ":4", id, team, "R0BRIDGERUN" + n, 60L, null));
        }

        try (SlackEmulator slack = WORKSPACES.emulator().build().start(); SdkSlackClient client = client(slack)) {
            long failed = SlackAlone.send(ops, client, 4);

            EmulatorClient emulator = slack.client();
            assertThat(failed).isZero();
            List<CallSnapshot> calls = emulator.calls();
            assertThat(calls).hasSize(6).allSatisfy(call -> {
                assertThat(call.ended()).isTrue();
                assertThat(call.duration()).isEqualTo(60L);
                assertThat(call.users()).hasSize(2);
            });
            Set<String> callIds = calls.stream().map(CallSnapshot::id).collect(Collectors.toSet());
            assertThat(emulator.messages()).hasSize(6)
                    .allSatisfy(message -> assertThat(callIds).containsAll(message.callIds()));
            assertThat(emulator.messages().stream().map(PostedMessage::channel).collect(Collectors.toSet()))
                    .hasSize(6);
        }
    }

    private static SdkSlackClient client(SlackEmulator slack) {
        return new SdkSlackClient(slack.baseUrl(), SlackTokens.fromEnvironment(WORKSPACES.tokenVariables()),
                Duration.ofSeconds(5), 4);
    }

    private static void send(String topic, List<CallEvent> events) throws Exception {
        CloudEventCodec codec = new CloudEventCodec();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (CallEvent event : events) {
                producer.send(new ProducerRecord<>(topic, event.subject(), codec.encodeStructured(event))).get();
            }
        }
    }
}
