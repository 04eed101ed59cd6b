package dev.callbridge.devkit.bench;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.devkit.bench.BenchReport.Progress;
import dev.callbridge.devkit.bench.BenchReport.Throughput;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.service.BridgeService;
import dev.callbridge.service.TopicProvisioner;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.topics.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Throughput: an input pre-loaded with whole call lifecycles, read once by a pass-through Kafka
 * Streams application (one store put and one output record per event, the same exactly-once
 * settings) and once by the bridge with the emulator and budgets unlimited; events per second for
 * each, from the moment it runs until it has taken every event (for the bridge: and Slack shows
 * every call ended). A smaller round goes first and is not reported: every part runs in this one JVM,
 * and without it the measured round spends much of its time compiling the broker's, the bridge's
 * and the emulator's code rather than running it.
 */
final class ThroughputBench {

    private static final String PREFIX = "tp-";
    private static final String WARMUP_PREFIX = "tpw-";
    private static final Duration SAMPLE = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final BenchWorld world;
    private final PrintStream log;

    ThroughputBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    Throughput run(int calls, int warmupCalls) {
        if (warmupCalls > 0) {
            log.printf("throughput: warming up with %,d calls (not reported) ...%n", warmupCalls);
            round(WARMUP_PREFIX, warmupCalls);
        }
        return round(PREFIX, calls);
    }

    private Throughput round(String prefix, int calls) {
        Topics topics = world.topics(prefix);
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                world.kafka.bootstrapServers()))) {
            new TopicProvisioner(admin).ensure(topics, BenchWorld.PARTITIONS, (short) 1,
                    BridgeConfig.defaults().recoveryRetention(), false);
        }
        world.awaitLeaders(topics.names());
        String input = topics.callEvents().name();
        String output = prefix + "passthrough-out";
        world.kafka.createTopics(BenchWorld.PARTITIONS, output);
        world.awaitLeaders(List.of(output));
        List<CallEvent> events = BenchCalls.lifecycles(prefix + "call-", calls);
        log.printf("throughput: pre-loading %,d events of %,d calls ...%n", events.size(), calls);
        world.send(input, events);
        long total = world.endOffset(input);
        if (total != events.size()) {
            throw new IllegalStateException("the input holds " + total + " records, " + events.size() + " were sent");
        }

        log.println("throughput: pass-through Kafka Streams application ...");
        List<Progress> passthroughCurve = new ArrayList<>();
        Duration passthroughTook = passthrough(prefix, input, output, total, passthroughCurve);
        log.printf("throughput: pass-through took %.1f s%n", passthroughTook.toMillis() / 1000.0);

        log.println("throughput: the bridge ...");
        List<Progress> bridgeCurve = new ArrayList<>();
        try (SlackEmulator slack = DemoWorkspace.emulator().rateLimits(RateLimits.unlimited()).build().start()) {
            EmulatorClient emulator = slack.client();
            BridgeService bridge = world.startBridge(world.bridgeEnvironment(prefix, slack, true));
            try {
                String group = prefix + "bridge";
                Duration took = measure(() -> world.committed(group, input), total,
                        () -> {
                            world.assertNoDeadLetters(prefix);
                            return emulator.stats().of(ApiMethod.CALLS_END).ok() >= calls;
                        }, bridgeCurve);
                long requests = emulator.stats().methods().values().stream().mapToLong(m -> m.requests()).sum();
                log.printf("throughput: the bridge took %.1f s, %,d Slack requests%n", took.toMillis() / 1000.0,
                        requests);
                double bridgeRate = total / seconds(took);
                double passthroughRate = total / seconds(passthroughTook);
                return new Throughput(calls, total, BenchWorld.PARTITIONS, bridgeRate, took, requests,
                        passthroughRate, passthroughTook, bridgeRate / passthroughRate, bridgeCurve, passthroughCurve);
            } finally {
                bridge.stop();
            }
        }
    }

    private Duration passthrough(String prefix, String input, String output, long total, List<Progress> curve) {
        String applicationId = prefix + "passthrough";
        Topology topology = new Topology();
        topology.addSource("read", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), input);
        topology.addProcessor("put-and-forward", PassThrough::new, "read");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PassThrough.STORE),
                Serdes.String(), Serdes.ByteArray()), "put-and-forward");
        topology.addSink("write", output, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
                "put-and-forward");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, world.kafka.bootstrapServers());
        // The bridge's own settings: exactly-once v2, one replica on this one broker, defaults otherwise.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.STATE_DIR_CONFIG, world.workDir.resolve(applicationId).toString());
        try (KafkaStreams streams = new KafkaStreams(topology, props)) {
            streams.start();
            BenchWorld.await(Duration.ofSeconds(120), () -> streams.state() == KafkaStreams.State.RUNNING,
                    "the pass-through application to run");
            return measure(() -> world.committed(applicationId, input), total, () -> true, curve);
        }
    }

    /** Samples {@code taken} until it reaches {@code total} and {@code done} holds; the time that took. */
    private static Duration measure(LongSupplier taken, long total, java.util.function.BooleanSupplier done,
            List<Progress> curve) {
        long start = System.nanoTime();
        long deadline = start + TIMEOUT.toNanos();
        while (true) {
            long now = System.nanoTime();
            long events = taken.getAsLong();
            curve.add(new Progress((now - start) / 1e9, events));
            if (events >= total && done.getAsBoolean()) {
                return Duration.ofNanos(now - start);
            }
            if (now > deadline) {
                throw new IllegalStateException("not done after " + TIMEOUT + ": " + events + " of " + total);
            }
            BenchWorld.sleep(SAMPLE);
        }
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** One state-store put and one output record per event: the least a stateful exactly-once app does. */
    private static final class PassThrough implements Processor<String, byte[], String, byte[]> {
        static final String STORE = "passthrough-store";
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> store;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            store.put(record.key(), record.value());
            context.forward(record);
        }
    }
}
