package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.cli.BridgeCommand;
import dev.callbridge.config.BridgeConfig;
import dev.callbridge.emulator.Click;
import dev.callbridge.emulator.Delivery;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.Faults;
import dev.callbridge.emulator.Interaction;
import dev.callbridge.ingress.IngressService;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.state.CallState;
import dev.callbridge.service.BridgeService;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.slackapp.EndCallButton;
import dev.callbridge.slackapp.SlackApp;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.testkit.TempDirs;
import dev.callbridge.topics.Topics;
import dev.callbridge.topics.WorkspacePartitioner;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One test's world on the shared broker: a Slack emulator, a topic prefix of its own, a producer, and
 * the bridge instances the test starts, each from its {@link BridgeSettings} through
 * {@code BridgeConfig} as {@code bridge run} starts one (in this JVM, or as {@code bridge run}
 * processes the test may kill), and any {@code bridge ingress} it starts, all stopped on {@link #close()}.
 */
public final class BridgeRig implements AutoCloseable {

    public static final int PARTITIONS = BridgeSettings.PARTITIONS;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final JsonSerde<CallOp> OPS = new JsonSerde<>(CallOp.class);
    private static final JsonSerde<CallState> VIEWS = new JsonSerde<>(CallState.class);

    public final String prefix;
    public final Topics topics;
    public final SlackEmulator slack;
    final SlackExpectations expect;
    private final String bootstrapServers;
    private final Path workDir;
    private final KafkaProducer<String, byte[]> producer;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final List<BridgeService> services = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<IngressService> ingresses = new ArrayList<>();
    /** Workspaces besides the demo one, each with a token of its own in the emulator and in every instance. */
    private final List<String> teams;

    private BridgeRig(String bootstrapServers, String prefix, SlackEmulator.Builder emulator, List<String> teams) {
        this.bootstrapServers = bootstrapServers;
        this.prefix = prefix;
        this.teams = List.copyOf(teams);
        teams.forEach(team -> emulator.token(token(team), team));
        this.slack = emulator.build().start();
        this.expect = new SlackExpectations(slack.client());
        try {
            this.workDir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.topics = config(settings("rig")).topics();
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    /** An emulator serving the {@link DemoWorkspace} on a free port, without rate limits. */
    public static SlackEmulator.Builder demoEmulator() {
        return DemoWorkspace.emulator()
                .rateLimits(RateLimits.unlimited());
    }

    public static BridgeRig start(KafkaBrokerExtension kafka, String prefix, SlackEmulator.Builder emulator) {
        return new BridgeRig(kafka.bootstrapServers(), prefix, emulator, List.of());
    }

    /** A rig whose Slack also serves {@code teams}, each with its own token, which every instance is given. */
    public static BridgeRig start(KafkaBrokerExtension kafka, String prefix, SlackEmulator.Builder emulator,
            List<String> teams) {
        return new BridgeRig(kafka.bootstrapServers(), prefix, emulator, teams);
    }

    /** The bot token of a workspace of {@link #start(KafkaBrokerExtension, String, SlackEmulator.Builder, List)}. */
    public static String token(String team) {
        return "xoxb-rig-" + team.toLowerCase(Locale.ROOT);
    }

    /**
     * One team id per partition, {@code <stem><n>}, the first whose operations lie on that partition of
     * this rig's topics: workspaces that different instances pace.
     */
    public static List<String> teamsOnEveryPartition(String stem) {
        WorkspacePartitioner workspaces = new WorkspacePartitioner(null);
        List<String> teams = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            int on = partition;
            teams.add(IntStream.range(0, 1_000).mapToObj(n -> stem + n)
                    .filter(team -> workspaces.partition(team, PARTITIONS) == on).findFirst().orElseThrow());
        }
        return teams;
    }

    public static BridgeRig start(KafkaBrokerExtension kafka, String prefix, Faults faults) {
        return start(kafka, prefix, demoEmulator().faults(faults));
    }

    public static BridgeRig start(KafkaBrokerExtension kafka, String prefix) {
        return start(kafka, prefix, Faults.none());
    }

    public EmulatorClient emulator() {
        return slack.client();
    }

    /** The settings of instance {@code instanceId} of this rig's bridge, with a state directory of its own. */
    public BridgeSettings settings(String instanceId) {
        BridgeSettings settings = BridgeSettings.forTest(bootstrapServers, prefix, slack.baseUrl(),
                workDir.resolve("state-" + instanceId)).with("BRIDGE_INSTANCE_ID", instanceId);
        teams.forEach(team -> settings.with("SLACK_TOKEN_" + team, token(team)));
        return settings;
    }

    /**
     * As {@link #settings(String)}, for an instance that is also the Slack app {@code app}: its HTTP port
     * {@code port}, known before the emulator starts since the app's events and clicks go there, and its
     * installations' tokens sealed with {@code encryptionKeys}.
     */
    public BridgeSettings appSettings(String instanceId, EmulatedApp app, int port, String encryptionKeys) {
        return settings(instanceId)
                .with("BRIDGE_HTTP_PORT", Integer.toString(port))
                .with("BRIDGE_SLACK_APP_CLIENT_ID", app.clientId())
                .with("BRIDGE_SLACK_APP_CLIENT_SECRET", app.clientSecret())
                .with("BRIDGE_SLACK_APP_SIGNING_SECRET", app.signingSecret())
                .with("BRIDGE_SLACK_APP_ENCRYPTION_KEYS", encryptionKeys)
                .with("BRIDGE_SLACK_APP_AUTHORIZE_URL", slack.authorizeUrl())
                .with("BRIDGE_SLACK_APP_REDIRECT_URL", "http://127.0.0.1:" + port + SlackApp.CALLBACK_PATH);
    }

    /** The configuration {@code bridge run} reads from these settings. */
    public static BridgeConfig config(BridgeSettings settings) {
        return BridgeConfig.load(settings.variables(), null);
    }

    /** Starts a bridge in this JVM and waits until it is ready (Kafka Streams RUNNING, dispatcher assigned). */
    public BridgeService startService(BridgeSettings settings) {
        return startService(settings, UnaryOperator.identity());
    }

    /** As {@link #startService(BridgeSettings)}, every Slack request passing through {@code around}. */
    public BridgeService startService(BridgeSettings settings, UnaryOperator<SlackClient> around) {
        BridgeService service = new BridgeService(config(settings), around).start();
        services.add(service);
        await().atMost(READY_TIMEOUT).pollInterval(SlackExpectations.POLL).until(service::isReady);
        return service;
    }

    /** Stops an instance started by {@link #startService} cleanly: it finishes its work, commits and leaves. */
    public void stopService(BridgeService service) {
        if (services.remove(service)) {
            service.stop();
        }
    }

    /**
     * Starts {@code bridge ingress} in this JVM from the {@code ingress.*} of {@code settings} (give it
     * {@code BRIDGE_INGRESS_HTTP_PORT=0} for a free port) and waits until it is ready, which needs the
     * input topic a bridge of this rig creates.
     */
    public IngressService startIngress(BridgeSettings settings) {
        IngressService ingress = new IngressService(config(settings).ingress()).start();
        ingresses.add(ingress);
        await().atMost(READY_TIMEOUT).pollInterval(SlackExpectations.POLL).until(ingress::isReady);
        return ingress;
    }

    /** A counter's total over all its tags, in one bridge's metrics. */
    public static double count(BridgeService service, String counter) {
        return service.metrics().registry().find(counter).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** How many events of {@code type} ({@code call.analyzed}) the bridge dropped as duplicates. */
    public static double duplicates(BridgeService service, String type) {
        Counter counter = service.metrics().registry().find("bridge.events")
                .tag("type", type).tag("outcome", "duplicate").counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * {@code user} clicks the End call button of call {@code callId} in message {@code ts} of the demo
     * channel: the emulator sends the app the signed click, which the app must acknowledge.
     */
    public Interaction clickEndCall(String ts, String user, String callId) {
        Interaction interaction = emulator().click(Click.of(DemoWorkspace.TEAM, DemoWorkspace.CHANNEL, ts, user,
                EndCallButton.ACTION_ID, callId));
        assertThat(interaction.status()).as("the app acknowledged the click: %s", interaction)
                .isEqualTo(Delivery.Status.DELIVERED);
        return interaction;
    }

    /**
     * Starts {@code bridge run} in a JVM of its own with {@code settings} as its environment, so that
     * the test can kill it without a shutdown; its output goes to {@code <name>.log} in the work directory.
     */
    public Process launchProcess(BridgeSettings settings, String name) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                BridgeCommand.class.getName(), "run");
        builder.environment().putAll(settings.variables());
        builder.redirectErrorStream(true).redirectOutput(log(name).toFile());
        try {
            Process process = builder.start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start bridge run", e);
        }
    }

    public Path log(String name) {
        return workDir.resolve(name + ".log");
    }

    /** Produces the events in structured mode, keyed by their call, and waits until Kafka has them. */
    public void send(List<CallEvent> events) {
        events.forEach(event -> producer.send(
                new ProducerRecord<>(topics.callEvents().name(), event.subject(), codec.encodeStructured(event))));
        producer.flush();
    }

    public void send(CallEvent event) {
        send(List.of(event));
    }

    /** Produces the events as {@link #send(List)} does, stamped as written at {@code writtenAt}: a backlog's. */
    public void sendWrittenAt(List<CallEvent> events, Instant writtenAt) {
        events.forEach(event -> producer.send(new ProducerRecord<>(topics.callEvents().name(), null,
                writtenAt.toEpochMilli(), event.subject(), codec.encodeStructured(event))));
        producer.flush();
    }

    /**
     * Sends the events one by one, {@code gap} apart, each with the key and partition {@code placement}
     * chooses, as a producer with another partitioner than Java's would ({@code null} partition: the
     * Java client's choice).
     */
    void sendOverTime(List<CallEvent> events, Duration gap, Function<CallEvent, Placement> placement) {
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
    public void sendRaw(String key, byte[] value, Map<String, String> headers) {
        producer.send(new ProducerRecord<>(topics.callEvents().name(), null, key, value, headers(headers)));
        producer.flush();
    }

    /**
     * Writes an operation straight to {@code slack.call-ops}, on {@code partition} or, when {@code null}, on
     * its workspace's, as the reconciler would for an operation that names its workspace.
     */
    public void sendOp(CallOp op, Integer partition, Map<String, String> headers) {
        int where = partition != null ? partition : new WorkspacePartitioner(null).partition(op.teamId(), PARTITIONS);
        producer.send(new ProducerRecord<>(topics.callOps().name(), where, op.externalUniqueId(), OPS.toBytes(op),
                headers(headers)));
        producer.flush();
    }

    private static RecordHeaders headers(Map<String, String> headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, text) -> recordHeaders.add(name, text.getBytes(StandardCharsets.UTF_8)));
        return recordHeaders;
    }

    /** Every committed record of one of this rig's topics. */
    public List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
        return CommittedRecords.readAll(bootstrapServers, topic);
    }

    /** Every committed record of every topic of this rig's bridge. */
    public List<ConsumerRecord<byte[], byte[]>> everyRecord() {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        topics.names().forEach(topic -> all.addAll(committed(topic)));
        return all;
    }

    /** The latest committed view of each call on {@code slack.calls}. */
    public Map<String, CallState> views() {
        Map<String, CallState> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : committed(topics.calls().name())) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            CallState view = VIEWS.fromBytes(record.value());
            if (view == null) {
                latest.remove(key);
            } else {
                latest.put(key, view);
            }
        }
        return latest;
    }

    public String bootstrapServers() {
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
        ingresses.forEach(IngressService::stop);
        services.forEach(BridgeService::stop);
        producer.close();
        slack.close();
        TempDirs.deleteRecursively(workDir);
    }
}
