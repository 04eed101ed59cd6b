package dev.callbridge.devkit.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.json.WireJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Kafka records for {@code telephony.call-events}, keyed by call id, and the malformed events the demo and bench make. */
public final class CallEventRecords {

    private static final ObjectMapper JSON = WireJson.mapper();

    private CallEventRecords() {}

    /** A structured-mode record: the whole event is the value, announced by its content type. */
    static ProducerRecord<String, byte[]> structured(String topic, String callId, byte[] event) {
        return record(topic, callId,
                Map.of(CloudEventCodec.CONTENT_TYPE_HEADER, CloudEventCodec.STRUCTURED_CONTENT_TYPE), event);
    }

    /** The event in structured mode with {@code edit} applied to its JSON, e.g. an attribute removed. */
    public static byte[] edited(CloudEventCodec codec, CallEvent event, Consumer<ObjectNode> edit) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(codec.encodeStructured(event));
            edit.accept(root);
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite event " + event.id(), e);
        }
    }

    /** A record with text headers, such as a binary-mode event's {@code ce_*} attributes beside its data. */
    static ProducerRecord<String, byte[]> record(String topic, String callId, Map<String, String> headers, byte[] value) {
        RecordHeaders recordHeaders = new RecordHeaders();
        headers.forEach((name, text) -> recordHeaders.add(name, text.getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(topic, null, callId, value, recordHeaders);
    }
}
