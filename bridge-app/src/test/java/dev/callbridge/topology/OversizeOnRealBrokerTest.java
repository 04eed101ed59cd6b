package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call topology under exactly-once on a real broker, facing records as large as Kafka takes: an
 * event just under the broker's limit is dead-lettered with its reason, and a call whose view a topic
 * refuses is dead-lettered after one failed attempt; either way the stream goes on with the next call.
 */
class OversizeOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path stateDir;

    private static final Duration CONVERGENCE = Duration.ofSeconds(60);
    private static final CloudEventCodec CODEC = new CloudEventCodec();
    private static final JsonSerde<CallOp> OPS = new JsonSerde<>(CallOp.class);
    private static final String SOURCE = "urn:callbridge:devkit-test-pbx";
    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    /** What a one-record batch needs besides the record's key, value and headers, with room to spare. */
    private static final int BATCH_OVERHEAD = 200;

    private final AtomicInteger threadFailures = new AtomicInteger();
    private KafkaStreams streams;
    private KafkaProducer<String, byte[]> producer;

    @AfterEach
    void stop() {
        if (producer != null) {
            producer.close();
        }
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void anEventJustUnderTheBrokersLimitIsDeadLetteredAndTheNextCallIsAdded() throws Exception {
        Topics topics = Topics.withPrefix("big-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        createTopics(topics, Map.of());
        start(topics);
        int limit = maxMessageBytes(topics.callEvents().name());
        CallEvents big = CallEvents.sequenced("call-big", SOURCE, T0);
        byte[] bigValue = structuredOfSize(big, limit - BATCH_OVERHEAD);
        RecordMetadata bigSent = send(topics, big.callId(), bigValue);
        CallEvents next = CallEvents.sequenced("call-next", SOURCE, T0.plusSeconds(1));
        send(topics, next.callId(), CODEC.encodeStructured(next.started("https://pbx.example.com/join/next")));

        assertThat(awaitOps(topics)).singleElement().satisfies(op -> {
            assertThat(op.method()).isEqualTo(SlackMethod.CALLS_ADD);
            assertThat(op.externalUniqueId()).isEqualTo(next.callId());
        });
        List<ConsumerRecord<byte[], byte[]>> deadLetters =
                CommittedRecords.readAll(KAFKA.bootstrapServers(), topics.callEventsDeadLetters().name());
        assertThat(deadLetters).singleElement().satisfies(record -> {
            assertThat(utf8(record.key())).isEqualTo(big.callId());
            DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
            assertThat(deadLetter.reason()).isEqualTo("oversize");
            assertThat(deadLetter.detail()).contains("the limit is 65536");
            assertThat(deadLetter.origin().topic()).isEqualTo(topics.callEvents().name());
            assertThat(deadLetter.origin().offset()).isEqualTo(bigSent.offset());
            // The whole would be more than Kafka takes: the dead letter says where the original still is.
            assertThat(record.value()).isNull();
            assertThat(deadLetter.droppedBytes()).isGreaterThan(bigValue.length);
        });
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(threadFailures).hasValue(0);
    }

    @Test
    void aCallWhoseViewIsMoreThanItsTopicTakesIsDeadLetteredWithoutFailingAThread() throws Exception {
        Topics topics = Topics.withPrefix("narrow-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        // An operator's slack.calls that takes less than the bridge's own limits allow.
        createTopics(topics, Map.of(topics.calls().name(), Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4096")));
        start(topics);
        CallEvents wide = CallEvents.sequenced("call-wide", SOURCE, T0);
        send(topics, wide.callId(), CODEC.encodeStructured(
                wide.started("https://pbx.example.com/join/wide", "t".repeat(3000), null, List.of())));
        CallEvents next = CallEvents.sequenced("call-next", SOURCE, T0.plusSeconds(1));
        send(topics, next.callId(), CODEC.encodeStructured(next.started("https://pbx.example.com/join/next")));

        assertThat(awaitOps(topics)).singleElement().satisfies(op -> {
            assertThat(op.method()).isEqualTo(SlackMethod.CALLS_ADD);
            assertThat(op.externalUniqueId()).isEqualTo(next.callId());
        });
        assertThat(CommittedRecords.readAll(KAFKA.bootstrapServers(), topics.callEventsDeadLetters().name()))
                .singleElement().satisfies(record -> {
                    assertThat(utf8(record.key())).isEqualTo(wide.callId());
                    DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
                    assertThat(deadLetter.reason()).isEqualTo("call_state_too_large");
                    assertThat(deadLetter.detail()).contains("call call-wide");
                });
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        // The topic's max.message.bytes was read at start-up, as bridge run does: no record was refused.
        assertThat(threadFailures).hasValue(0);
    }

    /** Waits for the first committed operations, and stops waiting if stream threads keep failing. */
    private List<CallOp> awaitOps(Topics topics) {
        return await().atMost(CONVERGENCE).pollInterval(Duration.ofMillis(250))
                .failFast("stream threads keep failing", () -> threadFailures.get() > 1)
                .until(() -> CommittedRecords.readAll(KAFKA.bootstrapServers(), topics.callOps().name()).stream()
                        .map(r -> OPS.fromBytes(r.value())).toList(), sent -> !sent.isEmpty());
    }

    /** One partition each: the next call's event sits behind the large one. */
    private static void createTopics(Topics topics, Map<String, Map<String, String>> configs) throws Exception {
        List<String> names = List.of(topics.callEvents().name(), topics.callEventsDeadLetters().name(),
                topics.callOps().name(), topics.callOpsDeadLetters().name(), topics.callResults().name(),
                topics.calls().name());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.createTopics(names.stream()
                            .map(name -> new NewTopic(name, 1, (short) 1).configs(configs.getOrDefault(name, Map.of())))
                            .toList())
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private void start(Topics topics) throws Exception {
        BridgeConfig defaults = BridgeConfig.defaults(Map.of("slack.default.channel", "C-CALLS"));
        TopologyConfig config = new TopologyConfig(topics, defaults.reconciler(), defaults.sweepInterval(),
                defaults.recoveryRetention(), defaults.stateLimit(), 0);
        Properties props = CallTopology.streamsProperties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.callEvents().name() + "-app");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            props.put(RecordLimits.CONFIG_KEY, RecordLimits.read(admin, topics.names()));
        }
        streams = new KafkaStreams(CallTopology.buildTopology(config), props);
        // As bridge run does: a failed thread is replaced, and its task goes back to the same record.
        streams.setUncaughtExceptionHandler(e -> {
            threadFailures.incrementAndGet();
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
    }

    /** A valid structured-mode {@code call.started} of exactly {@code size} bytes, padded in its title. */
    private static byte[] structuredOfSize(CallEvents call, int size) {
        String joinUrl = "https://pbx.example.com/join/big";
        CallEvent bare = call.started(joinUrl, "", null, List.of());
        int padding = size - CODEC.encodeStructured(bare).length;
        CallEvent padded = new CallEvent(bare.id(), bare.source(), bare.type(), bare.subject(), bare.time(),
                bare.sequence(), new CallEventData.Started(joinUrl, null, null, "x".repeat(padding), null,
                        T0.getEpochSecond(), null, null, List.of()));
        byte[] value = CODEC.encodeStructured(padded);
        assertThat(value).hasSize(size);
        return value;
    }

    private static int maxMessageBytes(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return Integer.parseInt(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                    .get(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
        }
    }

    private RecordMetadata send(Topics topics, String key, byte[] value) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.callEvents().name(), key, value);
        record.headers().add(CloudEventCodec.CONTENT_TYPE_HEADER,
                CloudEventCodec.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return producer.send(record).get(30, TimeUnit.SECONDS);
    }

    /** A producer that lets through whatever the broker takes: its own request limit is well above the topic's. */
    private static Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        return props;
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
