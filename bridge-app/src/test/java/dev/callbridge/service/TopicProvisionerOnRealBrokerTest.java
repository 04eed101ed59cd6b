package dev.callbridge.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Topic set-up as a StatefulSet starts it: several instances at once, each creating what it finds missing. */
class TopicProvisionerOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void instancesSettingUpTheSameTopicsAtOnceAllStartAndAgreeOnThePartitions() {
        for (int round = 0; round < 5; round++) {
            Topics topics = Topics.withPrefix("together-" + round + "-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
            CyclicBarrier together = new CyclicBarrier(3);
            List<CompletableFuture<Integer>> instances = new ArrayList<>();
            for (int instance = 0; instance < 3; instance++) {
                instances.add(CompletableFuture.supplyAsync(() -> {
                    try (Admin admin = Admin.create(
                            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
                        together.await();
                        return new TopicProvisioner(admin).ensure(topics, 3, (short) 1, Duration.ofDays(14), true);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }

            assertThat(instances).allSatisfy(started -> assertThat(started.join()).isEqualTo(3));
        }
    }

    @Test
    void aBridgeThatIsNoSlackAppNeedsNoInstallationsTopic() throws Exception {
        Topics topics = Topics.withPrefix("plain-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        try (Admin admin = admin()) {
            new TopicProvisioner(admin).ensure(topics, 3, (short) 1, Duration.ofDays(14), false);

            assertThat(admin.listTopics().names().get()).contains(topics.calls().name())
                    .doesNotContain(topics.installations().name());
        }
    }

    @Test
    void theInstallationsAreKeptCompactedInOnePartitionWhateverTheBridgesPartitionCount() throws Exception {
        Topics topics = Topics.withPrefix("kept-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        try (Admin admin = admin()) {
            new TopicProvisioner(admin).ensure(topics, 3, (short) 1, Duration.ofDays(14), true);

            String name = topics.installations().name();
            assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions()).hasSize(1);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
        }
    }

    @Test
    void anInstallationsTopicThatDeletesByAgeIsRefused() {
        Topics topics = Topics.withPrefix("aging-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        KAFKA.createTopics(1, topics.installations().name());
        try (Admin admin = admin()) {
            assertThatThrownBy(() -> new TopicProvisioner(admin).ensure(topics, 3, (short) 1, Duration.ofDays(14), true))
                    .isInstanceOf(BridgeConfigException.class)
                    .hasMessageStartingWith("aging-slack.installations must be compacted and keep records for good")
                    .hasMessageContaining("cleanup.policy=delete");
        }
    }

    @Test
    void aRetryTopicWithOtherPartitionsThanTheOperationsIsRefused() {
        Topics topics = Topics.withPrefix("grown-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        KAFKA.createTopics(6, topics.callOps().name());
        try (Admin admin = admin()) {
            assertThatThrownBy(() -> new TopicProvisioner(admin).ensure(topics, 3, (short) 1, Duration.ofDays(14), false))
                    .isInstanceOf(BridgeConfigException.class)
                    .hasMessageStartingWith("grown-slack.call-ops has 6 partitions and grown-slack.call-ops.retry-5s has 3")
                    .hasMessageContaining("a workspace's operations lie on the same partition of each");
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()));
    }
}
