package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.InvalidEventException;
import dev.callbridge.model.event.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** What the dead-letter handler does with records too large for Kafka, without a broker. */
class DeadLetterHandlerTest {

    private static final String EVENTS = "telephony.call-events";
    private static final String EVENTS_DLT = "telephony.call-events.dlt";
    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");

    private final RecordLimits limits = new RecordLimits();
    private final DeadLetterHandler handler = new DeadLetterHandler();

    DeadLetterHandlerTest() {
        handler.configure(Map.of(DeadLetterHandler.ROUTES_CONFIG, EVENTS + "=" + EVENTS_DLT,
                RecordLimits.CONFIG_KEY, limits, DeadLetterHandler.CLOCK_CONFIG, Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    @Test
    void anEventAsLargeAsTheBrokerTakesIsDeadLetteredWithItsKeyAndReasonButNotItsValue() {
        byte[] value = new byte[1_048_400];
        Headers headers = new RecordHeaders().add("content-type", utf8("application/cloudevents+json"));

        ProducerRecord<byte[], byte[]> deadLetter = deadLetterOf(value, headers);

        assertThat(deadLetter.topic()).isEqualTo(EVENTS_DLT);
        assertThat(deadLetter.key()).isEqualTo(utf8("call-big"));
        assertThat(deadLetter.value()).isNull();
        assertThat(Arrays.stream(deadLetter.headers().toArray()).map(Header::key)).allMatch(DeadLetter::owns);
        assertThat(DeadLetter.from(deadLetter.headers()).orElseThrow()).isEqualTo(new DeadLetter("oversize",
                "record: record is too large", new DeadLetter.Origin(EVENTS, 0, 41), NOW, null, 1_048_400 + 40));
    }

    @Test
    void anEventThatFitsIsDeadLetteredWhole() {
        byte[] value = new byte[900_000];

        ProducerRecord<byte[], byte[]> deadLetter = deadLetterOf(value, new RecordHeaders());

        assertThat(deadLetter.value()).isSameAs(value);
        assertThat(DeadLetter.from(deadLetter.headers()).orElseThrow().originalDropped()).isFalse();
    }

    @Test
    void aRecordKafkaRefusesAsTooLargeLowersItsTopicsLimitAndFailsTheThread() {
        ProducerRecord<byte[], byte[]> view = new ProducerRecord<>("slack.calls", utf8("call-1"), new byte[70_000]);

        ProductionExceptionHandler.Response response = handler.handleError(context(),
                view, new RecordTooLargeException("The request included a message larger than the max message size"));

        // Exactly-once: the producer has doomed the transaction whatever the handler answers.
        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(limits.maxBytes("slack.calls")).isEqualTo(70_005);
        assertThat(limits.maxBytes("slack.call-ops")).isEqualTo(RecordLimits.MAX_RECORD_BYTES);
    }

    @Test
    void aDeadLetterTopicThatRefusedARecordGetsSmallerDeadLettersAfterwards() {
        handler.handleError(context(), new ProducerRecord<>(EVENTS_DLT, utf8("call-big"), new byte[50_000]),
                new RecordTooLargeException("too large"));

        ProducerRecord<byte[], byte[]> deadLetter = deadLetterOf(new byte[60_000], new RecordHeaders());

        assertThat(deadLetter.value()).isNull();
        assertThat(DeadLetter.from(deadLetter.headers()).orElseThrow().droppedBytes()).isEqualTo(60_000);
    }

    @Test
    void otherProductionErrorsFailAndChangeNoLimit() {
        ProductionExceptionHandler.Response response = handler.handleError(context(),
                new ProducerRecord<>("slack.calls", utf8("call-1"), new byte[10]), new TimeoutException("slow"));

        assertThat(response.result()).isEqualTo(ProductionExceptionHandler.Result.FAIL);
        assertThat(limits.maxBytes("slack.calls")).isEqualTo(RecordLimits.MAX_RECORD_BYTES);
    }

    private ProducerRecord<byte[], byte[]> deadLetterOf(byte[] value, Headers headers) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(EVENTS, 0, 41, 1_000L, TimestampType.CREATE_TIME,
                -1, -1, utf8("call-big"), value, headers, Optional.empty());
        DeserializationExceptionHandler.Response response = handler.handleError(context(), record,
                InvalidEventException.of("record", RejectReason.OVERSIZE, "record is too large"));
        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        return response.deadLetterQueueRecords().get(0);
    }

    private static ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return EVENTS;
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return 41;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return "read-call-events";
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            @Override
            public long timestamp() {
                return 1_000L;
            }

            @Override
            public byte[] sourceRawKey() {
                return null;
            }

            @Override
            public byte[] sourceRawValue() {
                return null;
            }
        };
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
