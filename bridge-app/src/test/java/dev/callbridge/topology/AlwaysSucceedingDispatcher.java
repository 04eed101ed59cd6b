package dev.callbridge.topology;

import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for the Slack dispatcher: reads every committed operation from {@code slack.call-ops}
 * and answers it with {@link OpResult.Succeeded} on {@code slack.call-results}, giving each
 * {@code calls.add} a new Slack call id ({@code R1}, {@code R2}, …).
 */
final class AlwaysSucceedingDispatcher implements AutoCloseable {

    private static final JsonSerde<CallOp> OPS = new JsonSerde<>(CallOp.class);
    private static final JsonSerde<OpResult> RESULTS = new JsonSerde<>(OpResult.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final AtomicInteger slackCallIds = new AtomicInteger();
    private final List<CallOp> answered = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    AlwaysSucceedingDispatcher(String bootstrapServers) {
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        thread = new Thread(this::run, "always-succeeding-dispatcher");
    }

    /** Starts answering, from the beginning of the topic; no consumer group, so no rebalance to wait for. */
    AlwaysSucceedingDispatcher start() {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CALL_OPS).stream()
                .map(info -> new TopicPartition(Topics.CALL_OPS, info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
        return this;
    }

    /** The operations answered so far, in the order they were read. */
    List<CallOp> answered() {
        return List.copyOf(answered);
    }

    /** What stopped the dispatcher, if it stopped on its own. */
    Throwable failure() {
        return failure.get();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    CallOp op = OPS.fromBytes(record.value());
                    producer.send(new ProducerRecord<>(Topics.CALL_RESULTS, op.externalUniqueId(),
                            RESULTS.toBytes(succeeded(op))));
                    answered.add(op);
                }
                producer.flush();
            }
        } catch (WakeupException stopping) {
            // close() woke the consumer up.
        } catch (RuntimeException e) {
            failure.set(e);
        }
    }

    private OpResult succeeded(CallOp op) {
        String slackCallId = op instanceof CallOp.AddCall ? "R" + slackCallIds.incrementAndGet() : null;
        String messageTs = op instanceof CallOp.PostCallBlock ? "1700000000.000100" : null;
        return new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(), 1, slackCallId, messageTs,
                op instanceof CallOp.PostCallBlock post ? post.channel() : null, null);
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        producer.close();
    }
}
