package dev.callbridge.devkit.local;

import dev.callbridge.model.event.CloudEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Kafka records for {@code telephony.call-events}, keyed by call id. */
final class CallEventRecords {

    private CallEventRecords() {}

    /** A structured-mode record: the whole event is the value, announced by its content type. */
    static ProducerRecord<String, byte[]> structured(String topic, String callId, byte[] event) {
        return record(topic, callId,
                Map.of(CloudEventCodec.CONTENT_TYPE_HEADER, CloudEventCodec.STRUCTURED_CONTENT_TYPE), event);
    }

    /** A record with text headers, such as a binary-mode event's {@code ce_*} attributes beside its data. */
    static ProducerRecord<String, byte[]> record(String topic, String callId, Map<String, String> headers, byte[] value) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, text) -> recordHeaders.add(name, text.getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(topic, null, callId, value, recordHeaders);
    }
}
