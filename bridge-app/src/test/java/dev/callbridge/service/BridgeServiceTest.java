package dev.callbridge.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.state.CallState;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code bridge run}'s service on a real broker: topics, readiness, metrics, and a call mirrored. */
class BridgeServiceTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private final HttpClient http = HttpClient.newHttpClient();
    private SlackEmulator slack;
    private BridgeService service;

    @TempDir
    Path stateDir;

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop();
        }
        if (slack != null) {
            slack.close();
        }
    }

    private Map<String, String> environment(String prefix) {
        return BridgeSettings.of(KAFKA.bootstrapServers(), prefix, slack.baseUrl(), stateDir)
                .with("BRIDGE_TOPICS_PARTITIONS", "2")
                .with("BRIDGE_KAFKA_STREAMS_COMMIT_INTERVAL_MS", "100")
                .variables();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void itCreatesItsTopicsBecomesReadyMirrorsACallAndReportsMetrics() throws Exception {
        slack = DemoWorkspace.emulator().build().start();
        service = new BridgeService(BridgeConfig.load(environment("svc-"), null)).start();

        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
        Topics topics = BridgeConfig.load(environment("svc-"), null).topics();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            CallEvents call = CallEvents.sequenced("svc-call", "pbx-test", Instant.parse("2026-03-02T09:00:00Z"));
            CloudEventCodec codec = new CloudEventCodec();
            for (var event : List.of(
                    call.started("https://pbx.example/j/svc", "Service test", null, List.of(Participant.slackUser("U0ONE"))),
                    call.after(Duration.ofSeconds(30)).ended())) {
                producer.send(new ProducerRecord<>(topics.callEvents().name(), event.subject(), codec.encodeStructured(event)));
            }
            producer.send(new ProducerRecord<>(topics.callEvents().name(), "junk", "{".getBytes(StandardCharsets.UTF_8)));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> slack.client().callsWithExternalId("svc-call").stream()
                .anyMatch(c -> c.ended()));
        String metrics = await().atMost(Duration.ofSeconds(30)).until(() -> get("/metrics").body(),
                body -> body.contains("bridge_event_to_slack_seconds_count") && body.contains("reason=\"unparseable\""));
        assertThat(metrics)
                .contains("bridge_events_total{outcome=\"applied\",type=\"call.started\"}")
                .contains("bridge_operations_total{method=\"calls.add\"}")
                .contains("bridge_slack_requests_total{method=\"calls.end\",outcome=\"ok\"}")
                .contains("bridge_dead_letters_total{reason=\"unparseable\",topic=\"svc-telephony.call-events.dlt\"}")
                .contains("bridge_slack_in_flight")
                .contains("bridge_retry_backlog")
                .contains("bridge_calls_live")
                .contains("kafka_stream")
                .contains("bridge_dispatch_transactions_total{outcome=\"committed\"}")
                .doesNotContain(DemoWorkspace.TOKEN);

        // A clean stop is noted, so the next start keeps the recovery store instead of rebuilding it.
        Path marker = stateDir.resolve("svc-bridge").resolve(".bridge-stopped-cleanly");
        assertThat(marker).doesNotExist();
        service.stop();
        service = null;
        assertThat(marker).exists();
    }

    /** A bridge whose recovery store, one view long, loads only once {@code loaded} is counted down. */
    private BridgeService heldLoad(String prefix, CountDownLatch loading, CountDownLatch loaded) throws Exception {
        BridgeConfig config = BridgeConfig.load(environment(prefix), null);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            new TopicProvisioner(admin).ensure(config.topics(), 2, (short) 1, config.recoveryRetention(), false);
        }
        // A view in slack.calls, so that Kafka Streams has a recovery store to load before it starts its tasks.
        try (KafkaProducer<String, CallState> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers()), new StringSerializer(),
                config.topics().calls().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(config.topics().calls().name(), prefix + "call",
                    CallState.fresh(prefix + "call", Instant.now()))).get();
        }
        // Holds the load, as a large slack.calls read whole after an unclean stop would.
        StateRestoreListener held = new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
                loading.countDown();
                try {
                    loaded.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onBatchRestored(TopicPartition partition, String store, long batchEnd, long restored) {}

            @Override
            public void onRestoreEnd(TopicPartition partition, String store, long restored) {}
        };
        return new BridgeService(config, UnaryOperator.identity(), held);
    }

    @Test
    void whileTheRecoveryStoreLoadsItIsLiveNotReadyAndItsDispatcherAlreadyHoldsItsPartitions() throws Exception {
        slack = DemoWorkspace.emulator().build().start();
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch loaded = new CountDownLatch(1);
        service = heldLoad("load-", loading, loaded);
        ExecutorService starter = Executors.newSingleThreadExecutor();
        try {
            Future<BridgeService> starting = starter.submit(service::start);
            assertThat(loading.await(60, TimeUnit.SECONDS)).as("the recovery store started loading").isTrue();

            // A startup or liveness probe sees a live process, readiness says not yet.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get("/healthz").statusCode() == 200);
            assertThat(get("/readyz").statusCode()).isEqualTo(503);
            // The dispatcher took its partitions without waiting for the load.
            await().atMost(Duration.ofSeconds(60)).until(() -> dispatcherPartitions(get("/metrics").body()) > 0);
            assertThat(starting).isNotDone();
            assertThat(get("/readyz").statusCode()).isEqualTo(503);

            loaded.countDown();
            starting.get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
        } finally {
            loaded.countDown();
            starter.shutdownNow();
        }
    }

    /** A bridge started on another thread and held in its recovery store's load, stopped on a third. */
    private final class StartHeld implements AutoCloseable {
        final CountDownLatch loaded = new CountDownLatch(1);
        final BridgeService bridge;
        final Future<BridgeService> starting;
        private final ExecutorService threads = Executors.newFixedThreadPool(2);
        private Future<?> stopping;

        StartHeld(String prefix) throws Exception {
            CountDownLatch loading = new CountDownLatch(1);
            bridge = heldLoad(prefix, loading, loaded);
            starting = threads.submit(bridge::start);
            assertThat(loading.await(60, TimeUnit.SECONDS)).as("the recovery store started loading").isTrue();
        }

        /** SIGTERM's hook, while Kafka Streams still loads. */
        Future<?> stop() {
            stopping = threads.submit(bridge::stop);
            return stopping;
        }

        @Override
        public void close() {
            loaded.countDown();
            if (stopping == null) {
                bridge.stop();
            }
            threads.shutdownNow();
        }
    }

    @Test
    void aStopWhileALongLoadGoesOnReturnsAfterItsWaitAndKafkaStreamsStopsWhenTheLoadEnds() throws Exception {
        slack = DemoWorkspace.emulator().build().start();
        try (StartHeld held = new StartHeld("stop-")) {
            // It waits for the load only so long.
            held.stop().get(BridgeService.LOAD_WAIT.toSeconds() + 20, TimeUnit.SECONDS);
            assertThat(held.starting).isNotDone();
            URI health = URI.create("http://localhost:" + held.bridge.httpPort() + "/healthz");
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("the endpoints are closed").isInstanceOf(IOException.class);
            Path marker = stateDir.resolve("stop-bridge").resolve(".bridge-stopped-cleanly");
            assertThat(marker).as("the stop was not clean: the load was left").doesNotExist();

            // Where the process goes on, the load's end stops Kafka Streams, and cleanly.
            held.loaded.countDown();
            held.starting.get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> streamThreads("stop-").isEmpty());
            assertThat(marker).exists();
        }
    }

    @Test
    void aStopDuringAShortLoadWaitsForItAndStopsCleanly() throws Exception {
        slack = DemoWorkspace.emulator().build().start();
        try (StartHeld held = new StartHeld("short-")) {
            Future<?> stopped = held.stop();
            Thread.sleep(1_000);
            assertThat(stopped).as("the stop waits for the load").isNotDone();
            held.loaded.countDown();

            stopped.get(60, TimeUnit.SECONDS);
            held.starting.get(60, TimeUnit.SECONDS);
            assertThat(streamThreads("short-")).isEmpty();
            assertThat(stateDir.resolve("short-bridge").resolve(".bridge-stopped-cleanly")).exists();
        }
    }

    /** The live Kafka Streams threads of the bridge whose topics start with {@code prefix}. */
    private static List<String> streamThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith(prefix) && name.contains("StreamThread")).toList();
    }

    /** Partitions the dispatcher's consumer holds, from its client metrics in the Prometheus text. */
    private static double dispatcherPartitions(String metrics) {
        return metrics.lines()
                .filter(line -> line.startsWith("kafka_consumer_coordinator_assigned_partitions{")
                        && line.contains("dispatcher"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void streamThreadsThatKeepFailingOnTheSameRecordMakeHealthzUnhealthy() throws Exception {
        slack = DemoWorkspace.emulator().build().start();
        Map<String, String> env = new HashMap<>(environment("loop-"));
        // A failed thread's group member is given up on soon, so its replacement gets the task back quickly.
        env.put("BRIDGE_KAFKA_STREAMS_MAIN_CONSUMER_SESSION_TIMEOUT_MS", "6000");
        // An internal topic that takes no event at all (only transaction markers): re-keying a misrouted
        // event fails, every time.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("loop-bridge-events-by-subject-repartition", 2, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "200")))).all().get(30, TimeUnit.SECONDS);
        }
        service = new BridgeService(BridgeConfig.load(env, null)).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
        Topics topics = BridgeConfig.load(env, null).topics();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            CallEvents call = CallEvents.sequenced("loop-call", "pbx-test", Instant.parse("2026-03-02T09:00:00Z"));
            producer.send(new ProducerRecord<>(topics.callEvents().name(), "not-the-call",
                    new CloudEventCodec().encodeStructured(call.started("https://pbx.example/j/loop")))).get();
        }
        assertThat(get("/healthz").statusCode()).isEqualTo(200);

        // The failing stream threads' exceptions are expected here; they are the point.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).dontCatchUncaughtExceptions()
                .until(() -> get("/healthz").statusCode() == 503);
    }

    @Test
    void topicsWhosePartitionsDoNotMatchAreRefusedWithAClearMessage() {
        slack = DemoWorkspace.emulator().build().start();
        Topics topics = BridgeConfig.load(environment("bad-"), null).topics();
        KAFKA.createTopics(4, topics.callEvents().name());
        KAFKA.createTopics(2, topics.callResults().name());

        BridgeService wrong = new BridgeService(BridgeConfig.load(environment("bad-"), null));
        assertThatThrownBy(wrong::start).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("bad-telephony.call-events has 4 partitions")
                .hasMessageContaining("bad-slack.call-results has 2");
    }
}
