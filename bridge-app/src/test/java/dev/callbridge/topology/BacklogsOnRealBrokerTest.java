package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.testkit.KafkaBrokerExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A task's backlog as the broker has it: the end of each input partition against the group's committed offset. */
class BacklogsOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void aTaskIsBehindByWhatWaitsOnTheBrokerNotByWhatItHasFetched() throws Exception {
        String topic = "backlog-events";
        KAFKA.createTopics(2, topic);
        TopicPartition busy = new TopicPartition(topic, 0);
        TopicPartition quiet = new TopicPartition(topic, 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "call-" + i, "event"));
            }
            producer.flush();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets("backlog-app", Map.of(busy, new OffsetAndMetadata(20))).all().get();

            Map<TaskId, Long> behind = Backlogs.tracked().refresh(admin, "backlog-app", List.of(thread(
                    task(new TaskId(1, 0), busy), task(new TaskId(1, 1), quiet))));

            assertThat(behind).containsEntry(new TaskId(1, 0), 30L).containsEntry(new TaskId(1, 1), 0L);
        }
    }

    private static TaskMetadata task(TaskId id, TopicPartition partition) {
        return new TaskMetadata() {
            @Override public TaskId taskId() { return id; }
            @Override public Set<TopicPartition> topicPartitions() { return Set.of(partition); }
            @Override public Map<TopicPartition, Long> committedOffsets() { return Map.of(); }
            @Override public Map<TopicPartition, Long> endOffsets() { return Map.of(); }
            @Override public Optional<Long> timeCurrentIdlingStarted() { return Optional.empty(); }
        };
    }

    private static ThreadMetadata thread(TaskMetadata... tasks) {
        return new ThreadMetadata() {
            @Override public String threadState() { return "RUNNING"; }
            @Override public String threadName() { return "stream-thread-1"; }
            @Override public Set<TaskMetadata> activeTasks() { return Set.of(tasks); }
            @Override public Set<TaskMetadata> standbyTasks() { return Set.of(); }
            @Override public String consumerClientId() { return "consumer"; }
            @Override public String restoreConsumerClientId() { return "restore"; }
            @Override public Set<String> producerClientIds() { return Set.of(); }
            @Override public String adminClientId() { return "admin"; }
        };
    }
}
