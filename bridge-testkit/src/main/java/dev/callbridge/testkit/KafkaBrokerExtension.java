package dev.callbridge.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The broker under the tests that need a real one: an {@code apache/kafka} container when Docker
 * is available, otherwise the in-process {@link EmbeddedKafka}. Each test class gets a broker of its
 * own (kept in the class's store, which closes it after the class), so a class that kills processes
 * or loads the broker never slows another; within a class each test keeps to its own topic prefix
 * and application id.
 *
 * <p>Register it on a static field with {@code @RegisterExtension} and read {@link #bootstrapServers()}.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
    /** The broker image in step with the Kafka clients on the class path. */
    static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka").withTag(AppInfoParser.getVersion());

    private Broker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(Broker.class, key -> Broker.start(), Broker.class);
    }

    public String bootstrapServers() {
        if (broker == null) {
            throw new IllegalStateException("no broker yet: register KafkaBrokerExtension on a static field");
        }
        return broker.bootstrapServers();
    }

    /** Creates topics with one replica, as tests that prepare their own topics need. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topics " + Arrays.toString(names), e);
        }
    }

    /** A running broker and how to stop it. */
    private interface Broker extends AutoCloseable {

        String bootstrapServers();

        @Override
        void close();

        static Broker start() {
            if (dockerIsAvailable()) {
                KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
                container.start();
                LOG.info("End-to-end tests on a {} container at {}", KAFKA_IMAGE, container.getBootstrapServers());
                return new Broker() {
                    @Override
                    public String bootstrapServers() {
                        return container.getBootstrapServers();
                    }

                    @Override
                    public void close() {
                        container.stop();
                    }
                };
            }
            EmbeddedKafka embedded = new EmbeddedKafka().start();
            LOG.info("No Docker engine: end-to-end tests on the embedded broker at {}", embedded.bootstrapServers());
            return new Broker() {
                @Override
                public String bootstrapServers() {
                    return embedded.bootstrapServers();
                }

                @Override
                public void close() {
                    embedded.close();
                }
            };
        }
    }

    /**
     * Asks Testcontainers only when something points at a Docker engine (a {@code DOCKER_HOST}, the
     * default socket, or a Testcontainers configuration file): on a machine with none of them its
     * probe of every strategy costs time and logs errors for nothing.
     */
    static boolean dockerIsAvailable() {
        boolean hinted = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
        if (!hinted) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            LOG.info("Docker looked present but is not usable ({}); using the embedded broker", e.toString());
            return false;
        }
    }
}
