package dev.callbridge.ingress;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes call events to the input topic, keyed by call, and waits until Kafka has acknowledged every
 * one: an idempotent producer with {@code acks=all}, so an event whose webhook was answered 2xx is on
 * every in-sync replica and written once however the producer retried.
 */
final class EventDelivery implements AutoCloseable {

    /**
     * How long the producer waits to fill a batch, when the settings do not say: each webhook waits
     * for it, and under load batches fill anyway while earlier ones are in flight (Kafka's default is 5).
     */
    private static final long DEFAULT_LINGER_MS = 1;

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Duration timeout;
    private final KafkaClientMetrics producerMetrics;

    EventDelivery(IngressConfig config, MeterRegistry registry) {
        this.topic = config.topic();
        this.timeout = config.deliveryTimeout();
        this.producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
        this.producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(registry);
    }

    /** The client settings passed through, then what the ingress's promise rests on, which they cannot change. */
    static Map<String, Object> producerProperties(IngressConfig config) {
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        long timeoutMs = config.deliveryTimeout().toMillis();
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, Long.toString(DEFAULT_LINGER_MS));
        long lingerMs = Long.parseLong(props.get(ProducerConfig.LINGER_MS_CONFIG).toString().strip());
        // Each webhook is its own write; a transactional producer would only serialise them.
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "call-bridge-ingress");
        // Kafka gives up on a record when the webhook does, so a 503 is rarely followed by a late write.
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, timeoutMs - lingerMs));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        return props;
    }

    /**
     * Writes the events and returns once Kafka has acknowledged all of them.
     *
     * @throws NotAcknowledged when Kafka refused one or did not answer within the delivery timeout; some
     *     may have been written, and a webhook sent again writes them again under the same ids, which
     *     the bridge drops as duplicates
     */
    void deliver(List<InputRecord> events) throws NotAcknowledged {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        try {
            for (InputRecord event : events) {
                RecordHeaders headers = new RecordHeaders();
                InputRecords.HEADERS.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
                sent.add(producer.send(new ProducerRecord<>(topic, null, event.event().subject(), event.value(), headers)));
            }
            for (Future<RecordMetadata> acknowledgement : sent) {
                acknowledgement.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotAcknowledged("interrupted while waiting for Kafka");
        } catch (TimeoutException e) {
            throw new NotAcknowledged("Kafka did not acknowledge within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new NotAcknowledged("Kafka refused the write: " + e.getCause());
        } catch (KafkaException e) {
            // send() itself: no metadata for the topic within the timeout, or the producer is closed.
            throw new NotAcknowledged("Kafka could not take the write: " + e);
        }
    }

    @Override
    public void close() {
        producerMetrics.close();
        producer.close(timeout);
    }

    /** Events Kafka did not acknowledge; the webhook is answered 503 so that its sender tries again. */
    static final class NotAcknowledged extends Exception {

        NotAcknowledged(String message) {
            super(message);
        }
    }
}
