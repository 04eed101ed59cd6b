package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.json.WireJson;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.ObservedCall.BlockStatus;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.Topics;
import dev.callbridge.topics.WorkspacePartitioner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real call topology under Kafka Streams with exactly-once processing, on a real broker: three
 * calls' CloudEvents in (one call's start under the wrong key, two bad records among them), a
 * stand-in dispatcher answering every operation with success, and the committed output read back.
 */
class TopologyOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    static Path stateDir;

    private static final int PARTITIONS = 3;
    private static final Duration CONVERGENCE = Duration.ofSeconds(60);
    private static final String CHANNEL = "C-CALLS";
    private static final TopologyConfig CONFIG = BridgeConfig.defaults(Map.of("slack.default.channel", CHANNEL)).topology();
    private static final CloudEventCodec CODEC = new CloudEventCodec();
    private static final JsonSerde<CallOp> OPS = new JsonSerde<>(CallOp.class);
    private static final JsonSerde<CallState> VIEWS = new JsonSerde<>(CallState.class);

    private static final Participant ALICE = Participant.slackUser("U-ALICE");
    private static final Participant BOB = Participant.external("+15550100", "Bob (mobile)");
    private static final Participant CAROL = Participant.slackUser("U-CAROL");

    private static final String SOURCE = "urn:callbridge:devkit-test-pbx";
    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final CallEvents ALPHA = CallEvents.sequenced("call-alpha", SOURCE, T0);
    private static final CallEvents BRAVO = CallEvents.sequenced("call-bravo", SOURCE, T0.plusSeconds(1));
    private static final CallEvents CHARLIE = CallEvents.sequenced("call-charlie", SOURCE, T0.plusSeconds(2));
    private static final List<String> CALLS = List.of(ALPHA.callId(), BRAVO.callId(), CHARLIE.callId());
    private static final String MISROUTED_KEY = "not-call-charlie";
    private static final String BRAVO_TEAM = "T0BRAVO";

    private static final AtomicReference<Throwable> streamsFailure = new AtomicReference<>();
    private static KafkaStreams streams;
    private static AlwaysSucceedingDispatcher dispatcher;
    private static KafkaProducer<String, byte[]> producer;

    private static RecordMetadata garbage;
    private static RecordMetadata withoutSubject;
    private static RecordMetadata alphaEnded;

    @BeforeAll
    static void runScenario() throws Exception {
        KAFKA.createTopics(PARTITIONS, Topics.CALL_EVENTS, Topics.CALL_EVENTS_DLT, Topics.CALL_OPS,
                Topics.CALL_OPS_DLT, Topics.CALL_RESULTS, Topics.CALLS);
        streams = new KafkaStreams(CallTopology.buildTopology(CONFIG), streamsProperties());
        streams.setUncaughtExceptionHandler(e -> {
            streamsFailure.set(e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        dispatcher = new AlwaysSucceedingDispatcher(KAFKA.bootstrapServers()).start();
        producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());

        RecordMetadata alphaStarted = send(ALPHA.callId(), started(ALPHA, "Standup"));
        send(BRAVO.callId(), BRAVO.started(new CallEventData.Started("https://pbx.example.com/join/" + BRAVO.callId(),
                null, null, "Incident bridge", null, null, null, BRAVO_TEAM, List.of(CAROL))));

        // Two bad records in the middle of alpha's partition: alpha's later events must still count.
        garbage = send(new ProducerRecord<>(Topics.CALL_EVENTS, alphaStarted.partition(), "garbage",
                "not json".getBytes(StandardCharsets.UTF_8)));
        withoutSubject = send(new ProducerRecord<>(Topics.CALL_EVENTS, alphaStarted.partition(), "no-subject",
                withoutSubject(started(CallEvents.sequenced("call-delta", SOURCE, T0), "No subject"))));

        for (CallEvents call : List.of(ALPHA, BRAVO, CHARLIE)) {
            send(call.callId(), call.joined(ALICE));
            send(call.callId(), call.joined(BOB));
            send(call.callId(), call.left(ALICE));
        }
        alphaEnded = send(ALPHA.callId(), ALPHA.ended(40L, "hangup"));
        send(BRAVO.callId(), BRAVO.ended(50L, "hangup"));
        send(CHARLIE.callId(), CHARLIE.ended(60L, "hangup"));

        // Charlie has ended before it started: its events wait in the store until the start arrives,
        // under the wrong key, through the re-keying repartition topic.
        awaitConvergence().until(() -> latestViews().get(CHARLIE.callId()),
                view -> view != null && view.phase() == CallState.Phase.WAITING_FOR_START
                        && view.desired().end() != null);
        send(MISROUTED_KEY, started(CHARLIE, "Customer call"));
    }

    private static CallEvent started(CallEvents call, String title, Participant... alreadyOn) {
        return call.started("https://pbx.example.com/join/" + call.callId(), title, null, List.of(alreadyOn));
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void everyCallIsAddedExactlyOnceThenEndedLast() {
        Map<String, List<CallOp>> ops = awaitConvergence().until(TopologyOnRealBrokerTest::opsByCall,
                byCall -> CALLS.stream().allMatch(call -> lastMethod(byCall.get(call)) == SlackMethod.CALLS_END));

        assertThat(ops).containsOnlyKeys(CALLS);
        ops.forEach((call, sent) -> {
            List<SlackMethod> methods = sent.stream().map(CallOp::method).toList();
            assertThat(methods).as("operations for %s", call)
                    .startsWith(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE)
                    .endsWith(SlackMethod.CALLS_END)
                    .containsOnlyOnce(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE, SlackMethod.CALLS_END);
            // One operation at a time, numbered in the order the reconciler issued them, in one incarnation.
            String incarnation = sent.get(0).opId().split(":")[1];
            assertThat(sent).extracting(CallOp::opId).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, sent.size())
                            .mapToObj(n -> call + ":" + incarnation + ":" + n + ":" + methods.get(n - 1).apiName())
                            .toList());
        });
        // Charlie's held events went out with its calls.add: the people on it, then straight to the end.
        assertThat(ops.get(CHARLIE.callId())).extracting(CallOp::method)
                .containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE, SlackMethod.CALLS_END);
        assertThat(((CallOp.AddCall) ops.get(CHARLIE.callId()).get(0)).users()).containsExactly(BOB);
        assertThat(((CallOp.EndCall) ops.get(CHARLIE.callId()).get(2)).duration()).isEqualTo(60L);
    }

    @Test
    void everyCallsViewEndsEndedWithThePeopleStillOnTheCall() {
        Map<String, CallState> views = awaitAllEnded();

        assertThat(views.get(ALPHA.callId()).observed().participants()).containsOnlyKeys(BOB.key());
        assertThat(views.get(BRAVO.callId()).observed().participants()).containsOnlyKeys(BOB.key(), CAROL.key());
        assertThat(views.get(CHARLIE.callId()).observed().participants()).containsOnlyKeys(BOB.key());
        assertThat(CALLS).allSatisfy(call -> {
            CallState view = views.get(call);
            assertThat(view.phase()).isEqualTo(CallState.Phase.ENDED);
            assertThat(view.inFlight()).isNull();
            assertThat(view.observed().block()).isEqualTo(BlockStatus.POSTED);
            assertThat(view.observed().slackCallId()).matches("R\\d+");
        });
        assertThat(CALLS).extracting(call -> views.get(call).observed().slackCallId()).doesNotHaveDuplicates();
        assertThat(CALLS).extracting(call -> views.get(call).observed().duration()).containsExactly(40L, 50L, 60L);
    }

    @Test
    void badRecordsAreDeadLetteredWithReasonAndOriginAndLaterEventsStillCount() {
        awaitAllEnded();
        List<ConsumerRecord<byte[], byte[]>> deadLetters =
                CommittedRecords.readAll(KAFKA.bootstrapServers(), Topics.CALL_EVENTS_DLT);

        assertThat(deadLetters).hasSize(2);
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = deadLetters.stream()
                .collect(Collectors.toMap(r -> utf8(r.key()), r -> r));
        assertThat(byKey).containsOnlyKeys("garbage", "no-subject");
        assertDeadLetter(byKey.get("garbage"), "unparseable", garbage);
        assertThat(utf8(byKey.get("garbage").value())).isEqualTo("not json");
        assertDeadLetter(byKey.get("no-subject"), "missing_field", withoutSubject);
        assertThat(DeadLetter.from(byKey.get("no-subject").headers()).orElseThrow().detail()).contains("subject");

        // Alpha's end sat behind both bad records in the same partition, and alpha still ended.
        assertThat(alphaEnded.partition()).isEqualTo(withoutSubject.partition());
        assertThat(alphaEnded.offset()).isGreaterThan(withoutSubject.offset());
        assertThat(CommittedRecords.readAll(KAFKA.bootstrapServers(), Topics.CALL_OPS_DLT)).isEmpty();
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void operationsAreKeyedByTheirCallAndLieOnTheirWorkspacesPartition() {
        awaitAllEnded();
        WorkspacePartitioner workspaces = new WorkspacePartitioner(null);
        List<ConsumerRecord<byte[], byte[]>> ops = CommittedRecords.readAll(KAFKA.bootstrapServers(), Topics.CALL_OPS);

        assertThat(ops).isNotEmpty().allSatisfy(record -> {
            CallOp op = OPS.fromBytes(record.value());
            assertThat(utf8(record.key())).isEqualTo(op.externalUniqueId());
            assertThat(record.partition()).as("partition of %s", op.opId())
                    .isEqualTo(workspaces.partition(op.teamId(), PARTITIONS));
        });
        assertThat(ops).extracting(record -> OPS.fromBytes(record.value()).teamId()).contains(BRAVO_TEAM).containsNull();
    }

    private static void assertDeadLetter(ConsumerRecord<byte[], byte[]> record, String reason, RecordMetadata origin) {
        DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
        assertThat(deadLetter.reason()).isEqualTo(reason);
        assertThat(deadLetter.origin())
                .isEqualTo(new DeadLetter.Origin(Topics.CALL_EVENTS, origin.partition(), origin.offset()));
    }

    private static Map<String, CallState> awaitAllEnded() {
        return awaitConvergence().until(TopologyOnRealBrokerTest::latestViews,
                views -> CALLS.stream().allMatch(call -> views.get(call) != null && views.get(call).observed().ended()));
    }

    /** Waits generously, and stops waiting at once if Kafka Streams or the dispatcher died. */
    private static ConditionFactory awaitConvergence() {
        return await().atMost(CONVERGENCE)
                .pollInterval(Duration.ofMillis(250))
                .failFast("Kafka Streams stopped", () -> streamsFailure.get() != null
                        || streams.state() == KafkaStreams.State.ERROR
                        || streams.state() == KafkaStreams.State.NOT_RUNNING)
                .failFast("the stand-in dispatcher stopped", () -> dispatcher.failure() != null);
    }

    /** Every committed operation on {@code slack.call-ops}, per call in offset order. */
    private static Map<String, List<CallOp>> opsByCall() {
        return CommittedRecords.readAll(KAFKA.bootstrapServers(), Topics.CALL_OPS).stream()
                .collect(Collectors.groupingBy(r -> utf8(r.key()), LinkedHashMap::new,
                        Collectors.mapping(r -> OPS.fromBytes(r.value()), Collectors.toList())));
    }

    /** The latest committed value of {@code slack.calls} per call. */
    private static Map<String, CallState> latestViews() {
        Map<String, CallState> latest = new LinkedHashMap<>();
        CommittedRecords.readAll(KAFKA.bootstrapServers(), Topics.CALLS)
                .forEach(r -> latest.put(utf8(r.key()), VIEWS.fromBytes(r.value())));
        return Collections.unmodifiableMap(latest);
    }

    private static SlackMethod lastMethod(List<CallOp> ops) {
        return ops == null || ops.isEmpty() ? null : ops.get(ops.size() - 1).method();
    }

    private static Properties streamsProperties() {
        Properties props = CallTopology.streamsProperties(CONFIG);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-on-real-broker");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        return props;
    }

    private static Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }

    private static RecordMetadata send(String key, CallEvent event) throws ExecutionException, InterruptedException {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.CALL_EVENTS, key, CODEC.encodeStructured(event));
        record.headers().add(CloudEventCodec.CONTENT_TYPE_HEADER,
                CloudEventCodec.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return send(record);
    }

    private static RecordMetadata send(ProducerRecord<String, byte[]> record)
            throws ExecutionException, InterruptedException {
        return producer.send(record).get();
    }

    /** A structured-mode CloudEvent that is valid JSON and valid in every way except that it has no subject. */
    private static byte[] withoutSubject(CallEvent event) throws IOException {
        ObjectNode json = (ObjectNode) WireJson.mapper().readTree(CODEC.encodeStructured(event));
        json.remove("subject");
        return WireJson.mapper().writeValueAsBytes(json);
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
