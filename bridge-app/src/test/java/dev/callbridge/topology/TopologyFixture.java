package dev.callbridge.topology;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The call topology on a {@link TopologyTestDriver}, with the bridge's topics as test topics and a
 * stand-in dispatcher ({@link #answerOps}) that answers every operation with success.
 */
final class TopologyFixture implements AutoCloseable {

    static final Instant START = Instant.parse("2026-03-02T09:00:00Z");

    final TopologyConfig config;
    final BridgeMetrics metrics = new BridgeMetrics(new SimpleMeterRegistry());
    /** The limits the topology writes within; a test lowers one as if Kafka had refused a record. */
    final RecordLimits recordLimits = new RecordLimits();
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> events;
    final TestInputTopic<String, OpResult> results;
    final TestOutputTopic<String, CallOp> ops;
    final TestOutputTopic<String, CallState> views;
    final TestOutputTopic<byte[], byte[]> eventDeadLetters;
    final TestOutputTopic<byte[], byte[]> opDeadLetters;
    private final CloudEventCodec codec = new CloudEventCodec(4096);
    private final List<CallOp> opsSeen = new ArrayList<>();
    private final Map<String, CallState> latestViews = new LinkedHashMap<>();
    private int slackCalls;
    private int messages;

    TopologyFixture(TopologyConfig config) {
        this(config, Backlogs.ignored());
    }

    /** The topology whose sweeps follow {@code backlogs}, as a running bridge's follow its tasks' offsets. */
    TopologyFixture(TopologyConfig config, Backlogs backlogs) {
        this.config = config;
        Properties props = CallTopology.streamsProperties(config, metrics);
        props.put(RecordLimits.CONFIG_KEY, recordLimits);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bridge-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // The test driver drops dead letters that the exception handlers produce under exactly_once_v2;
        // the real-broker tests in this package run the topology with exactly-once.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(CallTopology.buildTopology(config, metrics, backlogs), props, START);
        Topics topics = config.topics();
        events = driver.createInputTopic(topics.callEvents().name(), new StringSerializer(), new ByteArraySerializer(),
                START, Duration.ofMillis(10));
        results = driver.createInputTopic(topics.callResults().name(), new StringSerializer(),
                topics.callResults().valueSerde().serializer());
        ops = driver.createOutputTopic(topics.callOps().name(), new StringDeserializer(),
                topics.callOps().valueSerde().deserializer());
        views = driver.createOutputTopic(topics.calls().name(), new StringDeserializer(),
                topics.calls().valueSerde().deserializer());
        eventDeadLetters = driver.createOutputTopic(topics.callEventsDeadLetters().name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        opDeadLetters = driver.createOutputTopic(topics.callOpsDeadLetters().name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    TopologyFixture() {
        this(usualConfig());
    }

    /** The topology as most tests run it: events up to 4 KiB, call blocks posted to {@code C0CALLS}. */
    static TopologyConfig usualConfig() {
        return BridgeConfig.defaults(Map.of("events.max.bytes", "4096", "slack.default.channel", "C0CALLS")).topology();
    }

    /** Produces the event in structured mode, keyed by its call. */
    void send(CallEvent event) {
        send(event.subject(), event);
    }

    void send(String key, CallEvent event) {
        events.pipeInput(key, codec.encodeStructured(event));
    }

    /** Produces the event in structured mode with the record timestamp {@code writtenAt}, as a producer would have then. */
    void sendWrittenAt(CallEvent event, Instant writtenAt) {
        events.pipeInput(event.subject(), codec.encodeStructured(event), writtenAt);
    }

    void sendBinary(CallEvent event) {
        sendBinary(event.subject(), event);
    }

    void sendBinary(String key, CallEvent event) {
        CloudEventCodec.BinaryEvent binary = codec.encodeBinary(event);
        Headers headers = new RecordHeaders();
        binary.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        events.pipeInput(new TestRecord<>(key, binary.data(), headers));
    }

    void sendRaw(String key, byte[] value) {
        events.pipeInput(key, value);
    }

    /** New operations emitted since the last call, also remembered for {@link #allOps}. */
    List<CallOp> newOps() {
        List<CallOp> fresh = ops.readValuesToList();
        opsSeen.addAll(fresh);
        return fresh;
    }

    List<CallOp> allOps() {
        newOps();
        return List.copyOf(opsSeen);
    }

    /** The latest view of each call on {@code slack.calls}; a tombstone removes the call. */
    Map<String, CallState> latestViews() {
        views.readKeyValuesToList().forEach(kv -> {
            if (kv.value == null) {
                latestViews.remove(kv.key);
            } else {
                latestViews.put(kv.key, kv.value);
            }
        });
        return latestViews;
    }

    /** Plays the dispatcher: answers every new operation, and the ones that follow, with success. */
    void answerOps() {
        List<CallOp> pending = newOps();
        while (!pending.isEmpty()) {
            for (CallOp op : pending) {
                results.pipeInput(op.externalUniqueId(), success(op));
            }
            pending = newOps();
        }
    }

    OpResult.Succeeded success(CallOp op) {
        String slackCallId = op instanceof CallOp.AddCall ? "R" + (++slackCalls) : null;
        String channel = null;
        if (op instanceof CallOp.PostCallBlock post) {
            channel = post.channel();
        } else if (op instanceof CallOp.ThreadPost reply) {
            channel = reply.channel();
        } else if (op instanceof CallOp.ShowCallEnded shown) {
            channel = shown.channel();
        }
        String ts = channel == null ? null
                : op instanceof CallOp.ShowCallEnded shown ? shown.ts() : "1772442000." + String.format("%06d", ++messages);
        return new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(), 1, slackCallId, ts, channel, null);
    }

    /** How many records went to {@code topic} for {@code reason}, by the dead-letter meter. */
    double deadLettered(String topic, String reason) {
        var counter = metrics.registry().find("bridge.dead.letters")
                .tag("topic", topic).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    CallState storedState(String call) {
        byte[] bytes = driver.<String, byte[]>getKeyValueStore(CallTopology.CALL_STORE).get(call);
        return bytes == null ? null : new JsonSerde<>(CallState.class).fromBytes(bytes);
    }

    @Override
    public void close() {
        driver.close();
    }
}
