package dev.callbridge.dispatch;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.topics.Topics;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.testkit.TempDirs;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.state.CallState;
import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.slack.SlackToken;
import dev.callbridge.slack.SlackTokens;
import dev.callbridge.topology.CallTopology;
import dev.callbridge.topology.TopologyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The whole bridge on a real broker against the Slack emulator: the call topology on Kafka Streams
 * with exactly-once, and the dispatcher sending through the official Slack SDK. Each instance uses
 * its own topic prefix, so tests sharing one broker never see each other's records.
 */
public final class RunningBridge implements AutoCloseable {

    public static final String TOKEN = "xoxb-emulated-bridge-token";
    public static final String TEAM = "T0BRIDGE";
    static final String CHANNEL = "C0CALLS";
    static final String CREATOR = "U0BRIDGEBOT";
    static final int PARTITIONS = 3;

    final Topics topics;
    private final KafkaBrokerExtension kafka;
    private final SlackEmulator slack;
    private final String prefix;
    private final UnaryOperator<DispatcherConfig> dispatcherSettings;
    private final UnaryOperator<SlackClient> slackClientWrapper;
    private SlackTokens tokens = new SlackTokens(new SlackToken(TOKEN), Map.of());
    private final Path stateDir;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final KafkaProducer<String, byte[]> producer;
    private KafkaStreams streams;
    private Dispatcher dispatcher;
    private SdkSlackClient sdkClient;

    public RunningBridge(KafkaBrokerExtension kafka, SlackEmulator slack, String prefix, UnaryOperator<DispatcherConfig> dispatcherSettings,
            UnaryOperator<SlackClient> slackClientWrapper) {
        this.kafka = kafka;
        this.slack = slack;
        this.prefix = prefix;
        this.dispatcherSettings = dispatcherSettings;
        this.slackClientWrapper = slackClientWrapper;
        this.topics = Topics.withPrefix(prefix, CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        kafka.createTopics(PARTITIONS, topics.names().toArray(String[]::new));
        try {
            this.stateDir = Files.createTempDirectory("bridge-state-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    static RunningBridge start(KafkaBrokerExtension kafka, SlackEmulator slack, String prefix) {
        return new RunningBridge(kafka, slack, prefix, UnaryOperator.identity(), UnaryOperator.identity())
                .startStreams().startDispatcher();
    }

    /** The dispatcher's settings as {@code bridge run} reads them, for topics of this prefix. */
    static DispatcherConfig dispatcherConfig(String bootstrapServers, String prefix) {
        return BridgeConfig.defaults(Map.of("kafka.bootstrap.servers", bootstrapServers, "topics.prefix", prefix,
                "application.id", prefix + "bridge", "instance.id", "1")).dispatcher();
    }

    /** Uses these tokens instead of the one default token; call before {@link #startDispatcher()}. */
    public RunningBridge withTokens(SlackTokens newTokens) {
        this.tokens = newTokens;
        return this;
    }

    public RunningBridge startStreams() {
        TopologyConfig config = BridgeConfig.defaults(Map.of("topics.prefix", prefix, "slack.default.channel", CHANNEL,
                "slack.default.team.id", TEAM, "slack.default.created.by", CREATOR)).topology();
        Properties props = CallTopology.streamsProperties(config);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "bridge");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        streams = new KafkaStreams(CallTopology.buildTopology(config), props);
        streams.start();
        return this;
    }

    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    public RunningBridge startDispatcher() {
        // The reconciler gives TEAM to calls that name no workspace: the default token serves it, as in bridge run.
        sdkClient = new SdkSlackClient(slack.baseUrl(), tokens.withDefaultTeamId(TEAM), Duration.ofSeconds(5));
        // The emulator runs without rate limits unless a test sets them; so does the dispatcher.
        DispatcherConfig config = dispatcherSettings.apply(
                dispatcherConfig(kafka.bootstrapServers(), prefix)
                        .withGroupId(prefix + "dispatcher")
                        .withBudgets(Map.of(), new Budget(60_000, 100)));
        dispatcher = new Dispatcher(config, slackClientWrapper.apply(sdkClient), Clock.systemUTC(),
                new dev.callbridge.metrics.BridgeMetrics(registry));
        dispatcher.start();
        return this;
    }

    /** A counter's total over every dispatcher this bridge started. */
    double metric(String counter) {
        return registry.find(counter).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    void stopDispatcher() {
        dispatcher.stop();
        closeSdk();
    }

    /** Every record of every bridge topic, as committed. */
    public List<ConsumerRecord<byte[], byte[]>> everyRecord() {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        topics.names().forEach(topic -> all.addAll(committed(topic)));
        return all;
    }

    void send(CallEvent event) {
        producer.send(new ProducerRecord<>(topics.callEvents().name(), event.subject(), codec.encodeStructured(event)));
        producer.flush();
    }

    /** Writes an operation straight to {@code slack.call-ops}, as the reconciler would, with these headers. */
    void sendOp(CallOp op, Map<String, String> headers) {
        org.apache.kafka.common.header.internals.RecordHeaders recordHeaders =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.forEach((name, value) -> recordHeaders.add(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(topics.callOps().name(), null, op.externalUniqueId(),
                new dev.callbridge.model.json.JsonSerde<>(CallOp.class).toBytes(op), recordHeaders));
        producer.flush();
    }

    public void sendAll(List<CallEvent> events) {
        events.forEach(event -> producer.send(
                new ProducerRecord<>(topics.callEvents().name(), event.subject(), codec.encodeStructured(event))));
        producer.flush();
    }

    /** The latest committed view of each call on {@code slack.calls}. */
    public Map<String, CallState> views() {
        JsonSerde<CallState> serde = new JsonSerde<>(CallState.class);
        Map<String, CallState> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : committed(topics.calls().name())) {
            String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
            CallState view = serde.fromBytes(record.value());
            if (view == null) {
                latest.remove(key);
            } else {
                latest.put(key, view);
            }
        }
        return latest;
    }

    List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
        return new ArrayList<>(dev.callbridge.testkit.CommittedRecords.readAll(kafka.bootstrapServers(), topic));
    }

    KafkaStreams.State streamsState() {
        return streams.state();
    }

    boolean dispatcherHealthy() {
        return dispatcher.isAssigned() && !dispatcher.hasFailed();
    }

    private void closeSdk() {
        try {
            if (sdkClient != null) {
                sdkClient.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("closing the Slack SDK failed", e);
        }
    }

    @Override
    public void close() {
        if (dispatcher != null) {
            dispatcher.stop();
        }
        closeSdk();
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
        producer.close();
        TempDirs.deleteRecursively(stateDir);
    }
}
