package dev.callbridge.model.event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
                    // The value is now a structured-mode event: binary-mode headers read back would
                    // make the reader take the value for data.
                    List<String> binaryHeaders = new ArrayList<>();
                    for (Header header : headers) {
                        String name = header.key().toLowerCase(Locale.ROOT);
                        if (name.startsWith(CloudEventCodec.BINARY_HEADER_PREFIX)
                                || name.equals(CloudEventCodec.CONTENT_TYPE_HEADER)) {
                            binaryHeaders.add(header.key());
                        }
                    }
                    binaryHeaders.forEach(headers::remove);
                    headers.add(CloudEventCodec.CONTENT_TYPE_HEADER,
                            CloudEventCodec.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
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
                text.put(header.key().toLowerCase(Locale.ROOT), CloudEventCodec.headerText(header.value()));
            }
        }
        return text;
    }
}
