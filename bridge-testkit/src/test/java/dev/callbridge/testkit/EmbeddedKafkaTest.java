package dev.callbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The embedded broker on a fixed port, as a user's kcat would reach it. */
class EmbeddedKafkaTest {

    @Test
    void aFixedPortIsReachableAndAdvertisedOnLocalhost() throws Exception {
        int port = Ports.free();
        try (EmbeddedKafka kafka = new EmbeddedKafka(port).start()) {
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);
            kafka.createTopics(2, "fixed-port-check");

            // Clients that bootstrap on the fixed port are told to keep using it.
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                Collection<Node> nodes = admin.describeCluster().nodes().get();
                assertThat(nodes).singleElement().satisfies(node -> {
                    assertThat(node.host()).isEqualTo("localhost");
                    assertThat(node.port()).isEqualTo(port);
                });
            }
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("fixed-port-check", "hello".getBytes(StandardCharsets.UTF_8))).get();
            }
            List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.readAll(kafka.bootstrapServers(), "fixed-port-check");
            assertThat(read).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("hello");

            assertThatThrownBy(() -> kafka.createTopics(2, "fixed-port-check"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("fixed-port-check");
            assertThatThrownBy(kafka::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aStoppedBrokerComesBackWithItsRecordsAtTheSameAddress() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            kafka.createTopics(1, "restart-check");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                            ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2000,
                            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("restart-check", "before".getBytes(StandardCharsets.UTF_8))).get();

                kafka.stopBroker();
                assertThatThrownBy(() -> producer.send(
                        new ProducerRecord<>("restart-check", "while down".getBytes(StandardCharsets.UTF_8))).get())
                        .hasMessageContaining("Timeout");
                kafka.restartBroker();

                producer.send(new ProducerRecord<>("restart-check", "after".getBytes(StandardCharsets.UTF_8))).get();
            }
            List<ConsumerRecord<byte[], byte[]>> read = CommittedRecords.readAll(kafka.bootstrapServers(), "restart-check");
            assertThat(read).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("before", "after");
        }
    }

    @Test
    void aBrokerThatIsNotRunningSaysSo() {
        EmbeddedKafka kafka = new EmbeddedKafka();
        assertThatThrownBy(kafka::bootstrapServers).hasMessageContaining("not running");
        kafka.close();
    }
}
