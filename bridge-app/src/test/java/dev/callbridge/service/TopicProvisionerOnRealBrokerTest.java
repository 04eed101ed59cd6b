package dev.callbridge.service;

import static org.assertj.core.api.Assertions.assertThat;

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
                        return new TopicProvisioner(admin).ensure(topics, 3, (short) 1, Duration.ofDays(14));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }

            assertThat(instances).allSatisfy(started -> assertThat(started.join()).isEqualTo(3));
        }
    }
}
