package dev.callbridge.topology;

import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.InvalidEventException;
import dev.callbridge.model.event.RejectReason;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets invalid records aside without stopping the stream: a record that cannot be read (or whose
 * processing throws, or that a processor rejects) is written, as the original bytes, to the
 * dead-letter topic routed from its source topic, with the {@link DeadLetter} headers naming the reason,
 * topic, partition and offset. Kafka Streams produces the dead letter in the same transaction as the
 * consumed offset. A dead letter never outgrows {@link RecordLimits}: one that would keeps only the
 * key. A record Kafka refuses to take as too large lowers the limits for its topic (see
 * {@link #handleError(ErrorHandlerContext, ProducerRecord, Exception)}).
 */
public final class DeadLetterHandler
        implements DeserializationExceptionHandler, ProcessingExceptionHandler, ProductionExceptionHandler {

    /** Config key: comma-separated {@code sourceTopic=deadLetterTopic} pairs. */
    public static final String ROUTES_CONFIG = "bridge.dead-letter.routes";
    /** Config key: the dead-letter topic for events read back from the re-keying repartition topic. */
    public static final String REKEYED_ROUTE_CONFIG = "bridge.dead-letter.rekeyed-route";
    /**
     * Config key: comma-separated topics whose unreadable records are logged and skipped rather than
     * dead-lettered: the bridge's own views, read by the global recovery store, whose thread has no
     * producer to dead-letter with.
     */
    public static final String SKIPPED_TOPICS_CONFIG = "bridge.dead-letter.skipped-topics";
    /** Config key: the {@link Clock} dead letters are stamped by; the system's UTC clock when absent. */
    public static final String CLOCK_CONFIG = "bridge.dead-letter.clock";
    static final String REPARTITION_SUFFIX = "-" + CallTopology.REKEY_REPARTITION + "-repartition";
    static final String PROCESSING_ERROR = "processing_error";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private Map<String, String> routes = Map.of();
    private Set<String> skipped = Set.of();
    private BridgeMetrics metrics = BridgeMetrics.discarding();
    private RecordLimits limits = new RecordLimits();
    private Clock clock = Clock.systemUTC();

    static String routes(Map<String, String> sourceToDeadLetter) {
        return sourceToDeadLetter.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .sorted()
                .collect(Collectors.joining(","));
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(ROUTES_CONFIG);
        if (value == null || value.toString().isBlank()) {
            throw new ConfigException(ROUTES_CONFIG, value, "needs at least one sourceTopic=deadLetterTopic route");
        }
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String pair : value.toString().split(",")) {
            String[] parts = pair.trim().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new ConfigException(ROUTES_CONFIG, value, "each route must read sourceTopic=deadLetterTopic");
            }
            parsed.put(parts[0].trim(), parts[1].trim());
        }
        if (configs.get(BridgeMetrics.CONFIG_KEY) instanceof BridgeMetrics given) {
            metrics = given;
        }
        limits = RecordLimits.from(configs);
        if (configs.get(CLOCK_CONFIG) instanceof Clock given) {
            clock = given;
        }
        Object applicationId = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        Object rekeyedRoute = configs.get(REKEYED_ROUTE_CONFIG);
        if (applicationId != null && rekeyedRoute != null) {
            parsed.put(applicationId + REPARTITION_SUFFIX, rekeyedRoute.toString());
        }
        routes = Map.copyOf(parsed);
        Object skippedTopics = configs.get(SKIPPED_TOPICS_CONFIG);
        if (skippedTopics != null && !skippedTopics.toString().isBlank()) {
            skipped = Arrays.stream(skippedTopics.toString().split(",")).map(String::trim).collect(Collectors.toSet());
        }
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String reason = exception instanceof InvalidEventException invalid
                ? invalid.reason().code()
                : RejectReason.UNPARSEABLE.code();
        if (skipped.contains(context.topic())) {
            LOG.error("Skipped unreadable view at {}-{}@{}: {} ({}); that call cannot be recovered from it",
                    context.topic(), context.partition(), context.offset(), reason, exception.getMessage());
            metrics.deadLetter("none", reason);
            return DeserializationExceptionHandler.Response.resume();
        }
        String deadLetterTopic = route(context.topic());
        if (deadLetterTopic == null) {
            LOG.error("Unreadable record at {}-{}@{} has no dead-letter route; stopping",
                    context.topic(), context.partition(), context.offset(), exception);
            return DeserializationExceptionHandler.Response.fail();
        }
        LOG.warn("Dead-lettered record at {}-{}@{} to {}: {} ({})", context.topic(), context.partition(),
                context.offset(), deadLetterTopic, reason, exception.getMessage());
        metrics.deadLetter(deadLetterTopic, reason);
        return DeserializationExceptionHandler.Response.resume(List.of(deadLetter(
                deadLetterTopic, record.key(), record.value(), record.headers(), context, reason, exception.getMessage())));
    }

    /**
     * Kafka refused a record the topology wrote as too large (a topic whose {@code max.message.bytes}
     * is below {@link RecordLimits#MAX_RECORD_BYTES}, say): that topic's limit drops below the record.
     * The stream thread still fails. Under exactly-once the producer has already doomed the
     * transaction, whatever this answers; and a changelog write given up would leave the store ahead of
     * its changelog. When the task comes back to the input, the state or dead letter it would write is
     * measured against the lowered limit and the input is dead-lettered instead.
     */
    @Override
    public ProductionExceptionHandler.Response handleError(
            ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            limits.refused(record.topic(), record.key(), record.value());
            LOG.error("Kafka refused a record of {} bytes for {} as too large; records for it now stay within {} "
                            + "bytes, and the input that led to it is dead-lettered when its task reads it again",
                    RecordLimits.size(record.key(), record.value(), record.headers()), record.topic(),
                    limits.maxBytes(record.topic()), exception);
        }
        return ProductionExceptionHandler.Response.fail();
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(
            ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof StreamsException) {
            // Failures of Kafka Streams itself (stores, producers) are not the record's fault.
            return ProcessingExceptionHandler.Response.fail();
        }
        String deadLetterTopic = context.topic() == null ? null : route(context.topic());
        if (record == null || deadLetterTopic == null) {
            LOG.error("Processing failed in {} outside any routable record; stopping", context.processorNodeId(),
                    exception);
            return ProcessingExceptionHandler.Response.fail();
        }
        String reason;
        String detail;
        if (exception instanceof RejectedInputException rejected) {
            reason = rejected.reason();
            detail = rejected.getMessage();
            LOG.warn("Dead-lettered record at {}-{}@{} to {}: {} ({})", context.topic(), context.partition(),
                    context.offset(), deadLetterTopic, reason, detail);
        } else {
            reason = PROCESSING_ERROR;
            detail = exception.getClass().getSimpleName() + ": " + exception.getMessage();
            LOG.error("Dead-lettered record at {}-{}@{} to {}: processing failed in {}", context.topic(),
                    context.partition(), context.offset(), deadLetterTopic, context.processorNodeId(), exception);
        }
        metrics.deadLetter(deadLetterTopic, reason);
        return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(deadLetterTopic, context.sourceRawKey(),
                context.sourceRawValue(), context.headers(), context, reason, detail)));
    }

    private String route(String sourceTopic) {
        return routes.get(sourceTopic);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(String topic, byte[] key, byte[] value, Headers original,
            ErrorHandlerContext context, String reason, String detail) {
        DeadLetter deadLetter = DeadLetter.of(reason, detail,
                new DeadLetter.Origin(context.topic(), context.partition(), context.offset()), null, clock);
        DeadLetter.Written written = deadLetter.write(topic,
                new DeadLetter.Original(key, value, original, context.timestamp()), null, limits.maxBytes(topic));
        if (written.deadLetter().originalDropped()) {
            // Kafka would refuse the whole: what finds the original again, and the call it belongs to, is kept.
            LOG.warn("Dead letter for {}-{}@{} keeps only its key: the original's {} bytes of value and headers are "
                    + "more than {} takes", context.topic(), context.partition(), context.offset(),
                    written.deadLetter().droppedBytes(), topic);
        }
        return written.record();
    }

}
