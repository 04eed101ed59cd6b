package dev.callbridge.model.event;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for {@code telephony.call-events}: reads structured or binary CloudEvents (binary when
 * a {@code ce_specversion} header is present) and writes structured mode. Reading throws
 * {@link InvalidEventException} for anything invalid, so the caller can dead-letter it.
 */
public final class CallEventSerde implements Serde<CallEvent> {

    private final CloudEventCodec codec;

    public CallEventSerde(CloudEventCodec codec) {
        this.codec = codec;
    }

    public CallEventSerde() {
        this(new CloudEventCodec());
    }

    @Override
    public Serializer<CallEvent> serializer() {
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topic, CallEvent event) {
                return event == null ? null : codec.encodeStructured(event);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, CallEvent event) {
                if (event != null) {
                    headers.remove(CloudEventCodec.CONTENT_TYPE_HEADER);
                    headers.add(CloudEventCodec.CONTENT_TYPE_HEADER,
                            CloudEventCodec.STRUCTURED_CONTENT_TYPE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                return serialize(topic, event);
            }
        };
    }

    @Override
    public Deserializer<CallEvent> deserializer() {
        return new Deserializer<>() {
            @Override
            public CallEvent deserialize(String topic, byte[] data) {
                return codec.decode(data, Map.of());
            }

            @Override
            public CallEvent deserialize(String topic, Headers headers, byte[] data) {
                return codec.decode(data, textHeaders(headers));
            }
        };
    }

    private static Map<String, String> textHeaders(Headers headers) {
        Map<String, String> text = new HashMap<>();
        if (headers != null) {
            for (Header header : headers) {
                text.put(header.key().toLowerCase(java.util.Locale.ROOT), CloudEventCodec.headerText(header.value()));
            }
        }
        return text;
    }
}
