package dev.callbridge.testkit;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, one process acting as broker and controller) running
 * inside this JVM, configured so that transactions and consumer groups work on one replica.
 *
 * <p>By default it listens on an ephemeral port only. Given a fixed port, it also listens on
 * {@code localhost:<port>} through an extra listener, so tools outside the JVM (kcat, the Kafka
 * CLI) can reach it at a known address; the test kit always binds its own client listener to an
 * ephemeral port, which is why the fixed port is a second listener and not a replacement.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** The extra listener on the fixed port; the test kit's own listeners keep their names. */
    private static final String FIXED_PORT_LISTENER = "LOCALHOST";
    private static final short REPLICATION_FACTOR = 1;
    private static final long ADMIN_TIMEOUT_SECONDS = 30;

    private final int fixedPort;
    private KafkaClusterTestKit cluster;

    /** A broker on an ephemeral port; see {@link #bootstrapServers()}. */
    public EmbeddedKafka() {
        this(0);
    }

    /**
     * A broker that also listens on {@code localhost:fixedPort}.
     *
     * @param fixedPort the port to listen on besides the ephemeral one; 0 for none
     */
    public EmbeddedKafka(int fixedPort) {
        if (fixedPort < 0 || fixedPort > 65535) {
            throw new IllegalArgumentException("fixedPort must be 0 (none) or a TCP port, was " + fixedPort);
        }
        this.fixedPort = fixedPort;
    }

    /**
     * Formats a fresh temporary log directory, starts the broker and waits until it accepts clients.
     *
     * @throws IllegalStateException if the broker is already running or does not come up (for
     *     example when the fixed port is taken)
     */
    public synchronized EmbeddedKafka start() {
        if (cluster != null) {
            throw new IllegalStateException("the embedded Kafka broker is already running at " + bootstrapServers());
        }
        long startedAt = System.nanoTime();
        KafkaClusterTestKit starting = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder(productionMetadata())
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            brokerConfig(nodes).forEach(builder::setConfigProp);
            starting = builder.build();
            starting.format();
            starting.startup();
            starting.waitForReadyBrokers();
            cluster = starting;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            closeAfterFailedStart(starting, e);
            String where = fixedPort == 0 ? "" : " with a listener on localhost:" + fixedPort;
            throw new IllegalStateException("the embedded Kafka broker did not start" + where, e);
        }
        LOG.info("Embedded Kafka broker up at {} in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
        return this;
    }

    /** The {@code bootstrap.servers} value for clients: the fixed port when one was given. */
    public synchronized String bootstrapServers() {
        requireRunning();
        return fixedPort == 0 ? cluster.bootstrapServers() : "localhost:" + fixedPort;
    }

    /**
     * Creates topics with the given partition count and one replica, waiting until the broker has
     * created them.
     *
     * @throws IllegalStateException if any of them cannot be created, for example because it exists
     */
    public void createTopics(int partitions, String... names) {
        Admin admin;
        synchronized (this) {
            requireRunning();
            admin = cluster.admin();
        }
        try (admin) {
            admin.createTopics(Arrays.stream(names)
                            .map(name -> new NewTopic(name, partitions, REPLICATION_FACTOR))
                            .toList())
                    .all()
                    .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + Arrays.toString(names), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topics " + Arrays.toString(names), e);
        }
    }

    /**
     * Stops the broker as a crashed or unplugged one looks to clients: nothing answers at its address
     * until {@link #restartBroker()}. Its data stays, and so does the controller (this node's other role).
     */
    public synchronized void stopBroker() {
        requireRunning();
        cluster.brokers().values().forEach(broker -> {
            broker.shutdown();
            broker.awaitShutdown();
        });
    }

    /** Starts the broker again after {@link #stopBroker()}, with its data, at the same address. */
    public synchronized void restartBroker() {
        requireRunning();
        cluster.brokers().values().forEach(broker -> broker.startup());
        try {
            cluster.waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the embedded Kafka broker restarted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the embedded Kafka broker did not come back", e);
        }
    }

    /** Stops the broker and deletes its log directory; does nothing if it is not running. */
    @Override
    public synchronized void close() {
        if (cluster == null) {
            return;
        }
        KafkaClusterTestKit stopping = cluster;
        cluster = null;
        try {
            stopping.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the embedded Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Kafka broker did not stop cleanly", e);
        }
    }

    private Map<String, Object> brokerConfig(TestKitNodes nodes) {
        Map<String, Object> config = new LinkedHashMap<>();
        // One broker means one replica for every internal topic; the defaults (3) would never be met.
        config.put("offsets.topic.replication.factor", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        // One partition each instead of 50: created on first use, so this keeps the first group join
        // and the first transaction fast, and one coordinator partition is plenty for a dev broker.
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.num.partitions", "1");
        config.put("share.coordinator.state.topic.num.partitions", "1");
        // A consumer group is formed as soon as its first member joins, instead of waiting 3 s for more.
        config.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created explicitly, as on the clusters the bridge runs against in production.
        config.put("auto.create.topics.enable", "false");
        // Behave like a released broker: no API or feature versions that are still in development.
        config.put("unstable.api.versions.enable", "false");
        config.put("unstable.feature.versions.enable", "false");
        if (fixedPort != 0) {
            String broker = nodes.brokerListenerName().value();
            String controller = nodes.controllerListenerName().value();
            config.put("listeners", String.format("%s://localhost:0,%s://localhost:0,%s://localhost:%d",
                    broker, controller, FIXED_PORT_LISTENER, fixedPort));
            config.put("listener.security.protocol.map", String.format("%s:%s,%s:%s,%s:PLAINTEXT",
                    broker, nodes.brokerListenerProtocol().name, controller, nodes.controllerListenerProtocol().name,
                    FIXED_PORT_LISTENER));
        }
        return config;
    }

    /** The latest production metadata version with every production feature at its default level. */
    private static BootstrapMetadata productionMetadata() {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream()
                .collect(Collectors.toMap(Feature::featureName, feature -> feature.defaultLevel(version),
                        (first, second) -> first, TreeMap::new));
        return BootstrapMetadata.fromVersions(version, features, "callbridge-devkit");
    }

    private void requireRunning() {
        if (cluster == null) {
            throw new IllegalStateException("the embedded Kafka broker is not running; call start() first");
        }
    }

    private static void closeAfterFailedStart(KafkaClusterTestKit starting, Exception cause) {
        if (starting == null) {
            return;
        }
        try {
            starting.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}
