package dev.callbridge.devkit.bench;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.ConfigSource;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.EmbeddedKafka;
import dev.callbridge.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What every part of the benchmark shares: the broker, a producer of events, the bridge's
 * environment for a part (its own topic prefix and application id), and progress read from the
 * broker the way an operator would read it (committed offsets of a group).
 */
final class BenchWorld implements AutoCloseable {

    static final int PARTITIONS = 6;
    /** Far above anything the benchmark offers: "unlimited" budgets on the bridge's side. */
    private static final int UNLIMITED_PER_MINUTE = 6_000_000;

    final EmbeddedKafka kafka;
    final Path workDir;
    /** Settings given on the command line for every bridge the benchmark starts, as BRIDGE_* variables. */
    private final Map<String, String> overrides;
    /** One producer per topic, made on its first use: after the topic exists, so it starts with fresh metadata. */
    private final Map<String, KafkaProducer<String, byte[]>> producers = new HashMap<>();
    private final CloudEventCodec codec = new CloudEventCodec();
    private final Admin admin;

    BenchWorld(EmbeddedKafka kafka, Path workDir, Map<String, String> settings) {
        this.kafka = kafka;
        this.workDir = workDir;
        this.overrides = new HashMap<>();
        settings.forEach((key, value) -> overrides.put(ConfigSource.envName(key), value));

        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    /** The environment of a bridge for one part: its own prefix, application id and state directory. */
    Map<String, String> bridgeEnvironment(String prefix, SlackEmulator slack, boolean unlimitedBudgets) {
        BridgeSettings settings = BridgeSettings.of(kafka.bootstrapServers(), prefix, slack.baseUrl(),
                        workDir.resolve(prefix + "state"))
                .with("BRIDGE_INSTANCE_ID", prefix + "bench-0")
                .with("BRIDGE_TOPICS_PARTITIONS", String.valueOf(PARTITIONS));
        if (unlimitedBudgets) {
            settings.budgets(UNLIMITED_PER_MINUTE, 1000);
        }
        overrides.forEach(settings::with);
        return new HashMap<>(settings.variables());
    }

    /** The environment of an ingress for one part: its own topic prefix, a free port, and {@code settings}. */
    Map<String, String> ingressEnvironment(String prefix, Map<String, String> settings) {
        BridgeSettings ingress = BridgeSettings.forIngress(kafka.bootstrapServers(), prefix);
        settings.forEach(ingress::with);
        overrides.forEach(ingress::with);
        return new HashMap<>(ingress.variables());
    }

    BridgeService startBridge(Map<String, String> env) {
        BridgeService bridge = new BridgeService(BridgeConfig.load(env, null)).start();
        await(Duration.ofSeconds(120), bridge::isReady, "the bridge to be ready");
        return bridge;
    }

    Topics topics(String prefix) {
        return Topics.withPrefix(prefix, CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * Sends events keyed by their call, each with its produce timestamp; returns when all are
     * acknowledged, and fails if any was not.
     */
    void send(String topic, List<CallEvent> events) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        for (CallEvent event : events) {
            sent.add(producer(topic).send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), event.subject(),
                    codec.encodeStructured(event))));
        }
        producer(topic).flush();
        for (Future<RecordMetadata> ack : sent) {
            try {
                ack.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("an event was not written to " + topic, e.getCause());
            }
        }
    }

    /** Waits until every partition of the topics has a leader, so the first writes are not refused. */
    void awaitLeaders(List<String> topics) {
        await(Duration.ofSeconds(60), () -> {
            try {
                return admin.describeTopics(topics).allTopicNames().get().values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                return false;
            }
        }, "leaders of " + topics);
    }

    /** Sends one event now and returns its produce timestamp. */
    long sendOne(String topic, CallEvent event) {
        long at = System.currentTimeMillis();
        send(topic, List.of(event), at);
        return at;
    }

    private void send(String topic, List<CallEvent> events, long timestamp) {
        try {
            for (CallEvent event : events) {
                producer(topic).send(new ProducerRecord<>(topic, null, timestamp, event.subject(),
                        codec.encodeStructured(event))).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an event was not written to " + topic, e.getCause());
        }
    }

    /** Fails when the bridge of {@code prefix} has dead-lettered anything: the run would never converge. */
    void assertNoDeadLetters(String prefix) {
        Topics topics = topics(prefix);
        long dead = endOffset(topics.callOpsDeadLetters().name()) + endOffset(topics.callEventsDeadLetters().name());
        if (dead > 0) {
            throw new IllegalStateException(dead + " records dead-lettered by the bridge under " + prefix
                    + "; the benchmark's traffic should not produce any");
        }
    }

    /** How many records of {@code topic} the group has committed, over all partitions. */
    long committed(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            return 0;
        }
    }

    /** The end offsets of {@code topic}, summed over its partitions: how many records it holds. */
    long endOffset(String topic) {
        try {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            sleep(Duration.ofMillis(100));
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer(String topic) {
        // Not idempotent, one request in flight: right after a topic is created the in-process broker
        // can refuse the first writes as not its leader, and the idempotent producer's retries then
        // met out-of-order sequence errors it never recovered from. Order holds with one in flight;
        // ThroughputBench checks that the input holds exactly what was sent.
        return producers.computeIfAbsent(topic, t -> new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(), new ByteArraySerializer()));
    }

    @Override
    public void close() {
        producers.values().forEach(KafkaProducer::close);
        admin.close();
    }
}
