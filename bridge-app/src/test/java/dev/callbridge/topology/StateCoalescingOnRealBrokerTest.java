package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.state.CallState;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call's changes between two commits reach the state store's changelog and {@code slack.calls} as
 * one record each, the last change's, on a real broker with exactly-once processing; and no view is
 * lost when the record cache writes entries out early.
 */
class StateCoalescingOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path stateDir;

    private static final JsonSerde<CallState> VIEWS = new JsonSerde<>(CallState.class);
    private static final int JOINS = 40;

    private record Written(List<ConsumerRecord<byte[], byte[]>> views, List<ConsumerRecord<byte[], byte[]>> changelog) {}

    @Test
    void aBurstOfChangesWritesItsLastStateOncePerCommit() throws Exception {
        Written written = burst("coalesced", null);

        // 41 changes, read in one poll: a handful of commits at most, however the work fell between them.
        assertThat(written.views()).as("views of %d changes", 1 + JOINS).hasSizeLessThanOrEqualTo(JOINS / 4);
        assertThat(written.changelog()).as("changelog records of %d changes", 1 + JOINS)
                .hasSizeLessThanOrEqualTo(JOINS / 4);
    }

    @Test
    void aCacheTooSmallForOneStateStillWritesEveryView() throws Exception {
        // Every put overflows the cache, which writes the new entry out while it is being put.
        Written written = burst("evicted", 1L);

        assertThat(written.views()).as("views of %d changes", 1 + JOINS).hasSize(1 + JOINS);
    }

    /** A call's start and {@link #JOINS} joins, waiting when the topology starts; what it wrote for them. */
    private Written burst(String name, Long cacheBytes) throws Exception {
        TopologyConfig config = BridgeConfig.defaults(Map.of("slack.default.channel", "C-CALLS",
                "topics.prefix", name + "-")).topology();
        Topics topics = config.topics();
        KAFKA.createTopics(1, topics.callEvents().name(), topics.callEventsDeadLetters().name(),
                topics.callOps().name(), topics.callOpsDeadLetters().name(), topics.callResults().name(),
                topics.calls().name());
        CallEvents call = CallEvents.sequenced("call-burst", "urn:callbridge:test-pbx", Instant.now().minusSeconds(60));
        List<CallEvent> burst = new ArrayList<>();
        burst.add(call.started("https://pbx.example.com/join/burst", "Burst", null, List.of()));
        for (int i = 0; i < JOINS; i++) {
            burst.add(call.joined(Participant.external(String.format("+15550100%02d", i), "Guest " + i)));
        }
        // Waiting when the topology starts: one poll holds the whole burst.
        produce(topics.callEvents().name(), burst);

        String app = "state-coalescing-" + name;
        Properties props = CallTopology.streamsProperties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        if (cacheBytes != null) {
            props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
        }
        try (KafkaStreams streams = new KafkaStreams(CallTopology.buildTopology(config), props)) {
            streams.start();
            List<ConsumerRecord<byte[], byte[]>> views = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> CommittedRecords.readAll(KAFKA.bootstrapServers(), topics.calls().name()),
                            written -> !written.isEmpty() && VIEWS.fromBytes(written.get(written.size() - 1).value())
                                    .desired().participants().size() == JOINS);
            List<ConsumerRecord<byte[], byte[]>> changelog = CommittedRecords.readAll(KAFKA.bootstrapServers(),
                    app + "-" + CallTopology.CALL_STORE + "-changelog");

            assertThat(changelog).isNotEmpty();
            assertThat(changelog.get(changelog.size() - 1).value()).as("the stored state is the view")
                    .isEqualTo(views.get(views.size() - 1).value());
            assertThat(views).allSatisfy(view -> assertThat(view.headers().toArray()).as("view headers").isEmpty());
            return new Written(views, changelog);
        }
    }

    private static void produce(String topic, List<CallEvent> events) {
        CloudEventCodec codec = new CloudEventCodec();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (CallEvent event : events) {
                ProducerRecord<String, byte[]> record =
                        new ProducerRecord<>(topic, event.subject(), codec.encodeStructured(event));
                record.headers().add(CloudEventCodec.CONTENT_TYPE_HEADER,
                        CloudEventCodec.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }
}
