package dev.callbridge.devkit.e2e;

import static org.awaitility.Awaitility.await;

import dev.callbridge.cli.BridgeCommand;
import dev.callbridge.topics.Topics;
import dev.callbridge.testkit.TempDirs;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.Faults;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One end-to-end test's world: a Slack emulator, a topic prefix of its own on the shared broker, a
 * producer for the input topic, and the bridge instances the test starts (in this JVM or as
 * {@code bridge run} processes), all stopped on {@link #close()}.
 */
final class BridgeRig implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    final String prefix;
    final Topics topics;
    final SlackEmulator slack;
    final SlackExpectations expect;
    private final String bootstrapServers;
    private final Path workDir;
    private final KafkaProducer<String, byte[]> producer;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final List<BridgeService> services = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private BridgeRig(String bootstrapServers, String prefix, Faults faults) {
        this.bootstrapServers = bootstrapServers;
        this.prefix = prefix;
        this.topics = Topics.withPrefix(prefix, CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        this.slack = SlackEmulator.builder().port(0).token(BridgeEnvironment.TOKEN, BridgeEnvironment.TEAM)
                .rateLimits(RateLimits.unlimited()).faults(faults).build().start();
        this.expect = new SlackExpectations(slack.client());
        try {
            this.workDir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    static BridgeRig start(KafkaBrokerExtension kafka, String prefix, Faults faults) {
        return new BridgeRig(kafka.bootstrapServers(), prefix, faults);
    }

    static BridgeRig start(KafkaBrokerExtension kafka, String prefix) {
        return start(kafka, prefix, Faults.none());
    }

    EmulatorClient emulator() {
        return slack.client();
    }

    /** The environment of instance {@code instanceId}, with a state directory of its own. */
    BridgeEnvironment environment(String instanceId) {
        return BridgeEnvironment.of(bootstrapServers, prefix, slack.baseUrl(), instanceId,
                workDir.resolve("state-" + instanceId));
    }

    /** Starts a bridge in this JVM and waits until it is ready (Kafka Streams RUNNING, dispatcher assigned). */
    BridgeService startService(BridgeEnvironment env) {
        BridgeService service = new BridgeService(env.config()).start();
        services.add(service);
        await().atMost(READY_TIMEOUT).pollInterval(SlackExpectations.POLL).until(service::isReady);
        return service;
    }

    /** Stops an instance started by {@link #startService} cleanly: it finishes its work, commits and leaves. */
    void stopService(BridgeService service) {
        if (services.remove(service)) {
            service.stop();
        }
    }

    /**
     * Starts {@code bridge run} in a JVM of its own with {@code env} as its environment, so that the
     * test can kill it without a shutdown; its output goes to {@code <name>.log} in the work directory.
     */
    Process launchProcess(BridgeEnvironment env, String name) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                BridgeCommand.class.getName(), "run");
        builder.environment().putAll(env.variables());
        builder.redirectErrorStream(true).redirectOutput(log(name).toFile());
        try {
            Process process = builder.start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start bridge run", e);
        }
    }

    Path log(String name) {
        return workDir.resolve(name + ".log");
    }

    void send(List<CallEvent> events) {
        events.forEach(event -> producer.send(
                new ProducerRecord<>(topics.callEvents().name(), event.subject(), codec.encodeStructured(event))));
        producer.flush();
    }

    /**
     * Sends the events one by one, {@code gap} apart, each with the key and partition {@code placement}
     * chooses, as a producer with another partitioner than Java's would ({@code null} partition: the
     * Java client's choice).
     */
    void sendOverTime(List<CallEvent> events, Duration gap, java.util.function.Function<CallEvent, Placement> placement) {
        for (CallEvent event : events) {
            Placement where = placement.apply(event);
            producer.send(new ProducerRecord<>(topics.callEvents().name(), where.partition(), where.key(),
                    codec.encodeStructured(event)));
            producer.flush();
            try {
                Thread.sleep(gap.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending", e);
            }
        }
    }

    /** Where a producer puts one record: its key (may be {@code null}) and partition. */
    record Placement(String key, Integer partition) {}

    /** Writes a raw record to the input topic, as a broken or hostile producer might. */
    void sendRaw(String key, byte[] value, Map<String, String> headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, text) -> recordHeaders.add(name, text.getBytes(StandardCharsets.UTF_8)));
        producer.send(new ProducerRecord<>(topics.callEvents().name(), null, key, value, recordHeaders));
        producer.flush();
    }

    /** Every committed record of one of this rig's topics. */
    List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
        return CommittedRecords.readAll(bootstrapServers, topic);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
        for (Process process : processes) {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        services.forEach(BridgeService::stop);
        producer.close();
        slack.close();
        TempDirs.deleteRecursively(workDir);
    }
}
