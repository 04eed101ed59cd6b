package dev.callbridge.service;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.config.ConfigSource;
import dev.callbridge.dispatch.Dispatcher;
import dev.callbridge.installations.KafkaInstallationService;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.slack.TokenSource;
import dev.callbridge.provider.HttpProviderClient;
import dev.callbridge.slackapp.BoltInstallations;
import dev.callbridge.slackapp.EndCallButton;
import dev.callbridge.slackapp.InstalledTokens;
import dev.callbridge.slackapp.SlackApp;
import dev.callbridge.slackapp.SlackAppConfig;
import dev.callbridge.slackapp.SlackAppSocket;
import dev.callbridge.topology.Backlogs;
import dev.callbridge.topology.CallTopology;
import dev.callbridge.topology.DeadLetterHandler;
import dev.callbridge.topology.RecordLimits;
import dev.callbridge.topology.TopologyConfig;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running bridge: prepares its topics, then runs the call topology on Kafka Streams, the
 * dispatcher, and the health and metrics endpoints, until {@link #stop()}.
 */
public final class BridgeService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long a stop waits for the recovery store's load to end: a short one (catching up after a clean
     * stop) is worth it, as the stop is then clean and the next start keeps the store.
     */
    static final Duration LOAD_WAIT = Duration.ofSeconds(10);
    /** Often enough for the sweeper (every minute by default) to act on a backlog seen seconds ago. */
    private static final long BACKLOG_WATCH_SECONDS = 5;

    private final BridgeConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BridgeMetrics metrics = new BridgeMetrics(registry);
    private final Backlogs backlogs = Backlogs.tracked();
    /** Used by the backlog watch only, on its own thread. */
    private Admin backlogAdmin;
    private final ScheduledExecutorService backlogWatch = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "backlog-watch");
        thread.setDaemon(true);
        return thread;
    });
    /** The dispatcher's time, which also stamps the topology's dead letters. */
    private final Clock clock = Clock.systemUTC();
    private final StreamThreadFailures threadFailures = new StreamThreadFailures(clock);
    private RecordLimits recordLimits;
    /** Read by the HTTP endpoints' threads while {@link #start()} is still setting them. */
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private volatile Dispatcher dispatcher;
    private CleanStopMarker cleanStop;
    private SdkSlackClient slack;
    private KafkaInstallationService installations;
    private SlackApp slackApp;
    private final ScheduledExecutorService tokenRotation = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "token-rotation");
        thread.setDaemon(true);
        return thread;
    });
    private final UnaryOperator<SlackClient> around;
    private final StateRestoreListener recoveryStoreLoad;
    private volatile HttpEndpoints http;
    /** Kafka Streams is inside {@code start()}, loading the recovery store; guarded by this. */
    private boolean loading;
    /** {@link #stop()} was called; guarded by this. */
    private boolean stopped;
    /** A stop gave up waiting for the load and left Kafka Streams to {@link #start()}; guarded by this. */
    private boolean streamsLeft;
    /** Counted down when Kafka Streams' start, and with it the recovery store's load, has ended. */
    private final CountDownLatch loadEnded = new CountDownLatch(1);

    public BridgeService(BridgeConfig config) {
        this(config, UnaryOperator.identity());
    }

    /**
     * A bridge whose every Slack request passes through {@code around}, which may watch, hold or
     * answer it in Slack's place: how tests put a request on hold or see each attempt as it goes.
     */
    public BridgeService(BridgeConfig config, UnaryOperator<SlackClient> around) {
        this(config, around, null);
    }

    /** A bridge that tells {@code recoveryStoreLoad} of the recovery store's loading: how tests hold it. */
    BridgeService(BridgeConfig config, UnaryOperator<SlackClient> around, StateRestoreListener recoveryStoreLoad) {
        this.config = config;
        this.around = around;
        this.recoveryStoreLoad = recoveryStoreLoad;
    }

    /**
     * Starts everything; returns once the parts run (readiness follows when Kafka Streams is RUNNING).
     * The HTTP endpoints come first, so that the platform sees a live process while the topics are
     * checked and Kafka Streams loads the recovery store, which after an unclean stop is read whole
     * from {@code slack.calls}; the dispatcher comes before Kafka Streams, so that a restarted instance
     * takes its workspaces' operations back at once instead of after that load.
     */
    public BridgeService start() {
        KafkaStreams created = prepare();
        boolean stoppedAlready;
        synchronized (this) {
            stoppedAlready = stopped;
        }
        try {
            if (!stoppedAlready) {
                // Returns once the recovery store is loaded, which after an unclean stop can take minutes; the
                // endpoints answer meanwhile, and a stop waits for it only so long (LOAD_WAIT).
                created.start();
            }
        } finally {
            synchronized (this) {
                loading = false;
            }
            loadEnded.countDown();
        }
        synchronized (this) {
            if (streamsLeft) {
                LOG.info("The recovery store is loaded, but the bridge was stopped meanwhile: Kafka Streams stops now");
                closeStreams(created);
            } else if (!stopped) {
                backlogWatch.scheduleWithFixedDelay(this::watchBacklogs, 1, BACKLOG_WATCH_SECONDS, TimeUnit.SECONDS);
                LOG.info("Bridge started; health and metrics on port {}", http.port());
            }
        }
        return this;
    }

    /** Everything up to Kafka Streams' start, which is left to {@link #start()}, outside this lock. */
    private synchronized KafkaStreams prepare() {
        if (stopped) {
            throw new IllegalStateException("the bridge was stopped; start a new one");
        }
        LOG.info("Starting the bridge: {}", config);
        http = new HttpEndpoints(config.httpPort(), this::isLive, this::isReady, registry);
        http.start();
        int callPartitions;
        try (Admin admin = Admin.create(config.adminProperties())) {
            callPartitions = new TopicProvisioner(admin).ensure(config.topics(), config.topicPartitions(),
                    config.topicReplicationFactor(), config.recoveryRetention(), config.app().isPresent());
            // Records the topology writes stay within what each topic takes, so none is refused.
            recordLimits = RecordLimits.read(admin, config.topics().names());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the topics' limits", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the topics' max.message.bytes: " + e.getMessage(), e);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);

        TokenSource tokens = config.tokens();
        if (config.app().isPresent()) {
            SlackAppConfig app = config.app().get();
            installations = new KafkaInstallationService(config.adminProperties(), config.topics().installations(),
                    TokenCipher.parseKeys(app.encryptionKeys()), clock).start();
            slackApp = new SlackApp(app, config.slackBaseUrl(), config.slackTimeout(),
                    new BoltInstallations(installations, config.tokens()), registry, clock);
            try {
                slackApp.start();
            } catch (SlackAppSocket.TokenRefused e) {
                throw new BridgeConfigException(ConfigSource.envName(BridgeConfig.SOCKET_MODE_TOKEN_KEY) + " ("
                        + BridgeConfig.SOCKET_MODE_TOKEN_KEY + "): " + e.getMessage());
            }
            InstalledTokens installed = new InstalledTokens(config.tokens(), installations, slackApp.slack(), app,
                    config.slackTimeout(), tokenRotation, clock, registry);
            tokenRotation.scheduleWithFixedDelay(() -> rotateDue(installed), 0, 1, TimeUnit.MINUTES);
            tokens = installed;
            config.endCallControl().ifPresent(endCall -> slackApp.endCallsWith(new EndCallButton(endCall,
                    new HttpProviderClient(endCall.provider()), registry, clock)));
            http.serve(slackApp.routes());
        }
        if (config.endCallControl().isPresent() && config.app().isEmpty()) {
            LOG.warn("The provider's API is configured but the Slack app is not: End call clicks have nowhere to go");
        }
        slack = new SdkSlackClient(config.slackBaseUrl(), tokens, config.slackTimeout(), config.dispatchConcurrency());
        dispatcher = new Dispatcher(config.dispatcher(), around.apply(slack), clock, metrics);
        dispatcher.start();

        TopologyConfig topology = config.topology().withCallPartitions(callPartitions);
        cleanStop = new CleanStopMarker(config.stateDir(), config.applicationId());
        cleanStop.beforeStart();
        KafkaStreams created = new KafkaStreams(CallTopology.buildTopology(topology, metrics, backlogs),
                streamsProperties(topology));
        streamsMetrics = new KafkaStreamsMetrics(created);
        streamsMetrics.bindTo(registry);
        created.setUncaughtExceptionHandler(e -> {
            threadFailures.failed(e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .REPLACE_THREAD;
        });
        if (recoveryStoreLoad != null) {
            created.setGlobalStateRestoreListener(recoveryStoreLoad);
        }
        streams = created;
        loading = true;
        return created;
    }

    private Properties streamsProperties(TopologyConfig topology) {
        Properties props = CallTopology.streamsProperties(topology, metrics);
        props.put(RecordLimits.CONFIG_KEY, recordLimits);
        props.put(DeadLetterHandler.CLOCK_CONFIG, clock);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.topicReplicationFactor());
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                config.applicationId() + "-streams-" + config.instanceId());
        props.putAll(config.streamsOverrides());
        return props;
    }

    private static void rotateDue(InstalledTokens tokens) {
        try {
            tokens.rotateDue();
        } catch (RuntimeException e) {
            // The next round tries again; a token about to expire is also rotated when it is next used.
            LOG.warn("Rotating the Slack app's tokens failed: {}", e.toString());
        }
    }

    private void watchBacklogs() {
        try {
            if (backlogAdmin == null) {
                backlogAdmin = Admin.create(config.adminProperties());
            }
            backlogs.refresh(backlogAdmin, config.applicationId(), streams.metadataForLocalThreads());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Until it is read again, the sweeper goes on with what it last knew.
            LOG.debug("Could not read the tasks' backlogs", e);
        }
    }

    /**
     * The process works: it is starting, or Kafka Streams has not failed for good, its threads are not
     * failing again and again, and the dispatcher loop is alive.
     */
    public boolean isLive() {
        KafkaStreams current = streams;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.state();
        Dispatcher sending = dispatcher;
        return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.NOT_RUNNING
                && threadFailures.healthy() && (sending == null || !sending.hasFailed());
    }

    /**
     * The bridge is processing: Kafka Streams RUNNING (its tasks' stores restored, the recovery store
     * loaded) and the dispatcher holding partitions.
     */
    public boolean isReady() {
        KafkaStreams current = streams;
        Dispatcher sending = dispatcher;
        return current != null && current.state() == KafkaStreams.State.RUNNING
                && sending != null && sending.isAssigned();
    }

    public int httpPort() {
        return http.port();
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    /** Stops taking work, finishes what is under way, commits, and leaves the groups. */
    public void stop() {
        boolean duringLoad;
        synchronized (this) {
            stopped = true;
            duringLoad = loading;
        }
        if (duringLoad) {
            LOG.info("Stopping the bridge: waiting up to {} for the recovery store's load to end", LOAD_WAIT);
            try {
                loadEnded.await(LOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopParts();
    }

    private synchronized void stopParts() {
        LOG.info("Stopping the bridge");
        if (http != null) {
            http.close();
        }
        backlogWatch.shutdownNow();
        try {
            backlogWatch.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (backlogAdmin != null) {
            backlogAdmin.close(Duration.ofSeconds(5));
        }
        if (dispatcher != null) {
            dispatcher.stop();
        }
        if (streams != null && loading) {
            // Kafka Streams holds its own lock while it loads, so closing it would wait for the whole load:
            // past a rolling update's grace period. The process's exit ends the load as a kill would (the
            // next start reads it whole again); in a process that goes on, start() stops Kafka Streams.
            streamsLeft = true;
            LOG.warn("Stopped while the recovery store still loads after {}: Kafka Streams stops when the load ends, "
                    + "or with the process", LOAD_WAIT);
        } else if (streams != null) {
            closeStreams(streams);
        }
        if (slack != null) {
            try {
                slack.close();
            } catch (Exception e) {
                LOG.debug("Closing the Slack client failed", e);
            }
        }
        // A rotation under way finishes and stores its token: Slack has already used up the old one.
        tokenRotation.shutdown();
        try {
            tokenRotation.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (slackApp != null) {
            slackApp.close();
        }
        if (installations != null) {
            installations.close();
        }
        LOG.info("Bridge stopped");
    }

    private void closeStreams(KafkaStreams running) {
        // Static members stay in the group, so a restarted instance takes its partitions straight back.
        boolean closed = running.close(CLOSE_TIMEOUT);
        streamsMetrics.close();
        if (closed && running.state() == KafkaStreams.State.NOT_RUNNING) {
            cleanStop.stoppedCleanly();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
