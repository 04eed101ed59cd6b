package dev.callbridge.devkit.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records that are almost call events, each with one mistake a real producer makes, so the demo
 * shows the bridge dead-lettering bad input while good traffic flows on.
 */
final class MalformedRecords {

    /** What is wrong with a record; between them every dead-letter reason shows up but oversize. */
    enum Flaw { TRUNCATED, UNKNOWN_TYPE, NO_SUBJECT, NO_JOIN_URL, BAD_TIME }


    private final String topic;
    private final String source;
    private final CloudEventCodec codec;

    MalformedRecords(String topic, String source, CloudEventCodec codec) {
        this.topic = topic;
        this.source = source;
        this.codec = codec;
    }

    ProducerRecord<String, byte[]> next(Random random) {
        Flaw[] flaws = Flaw.values();
        return record(flaws[random.nextInt(flaws.length)], "bad-" + CallScript.uuid(random));
    }

    ProducerRecord<String, byte[]> record(Flaw flaw, String callId) {
        CallEvent started = CallEvents.sequenced(callId, source, Instant.now())
                .started("https://meet.demo-pbx.example/j/" + callId);
        return switch (flaw) {
            case TRUNCATED -> {
                byte[] whole = codec.encodeStructured(started);
                yield structured(callId, Arrays.copyOf(whole, whole.length / 2));
            }
            case UNKNOWN_TYPE -> structured(callId, CallEventRecords.edited(codec, started, root -> root.put("type", "call.transferred")));
            case NO_SUBJECT -> structured(callId, CallEventRecords.edited(codec, started, root -> root.remove("subject")));
            case NO_JOIN_URL -> structured(callId, CallEventRecords.edited(codec, started, root -> ((ObjectNode) root.get("data")).remove("join_url")));
            case BAD_TIME -> {
                CloudEventCodec.BinaryEvent binary = codec.encodeBinary(started);
                Map<String, String> headers = new LinkedHashMap<>(binary.headers());
                headers.put(CloudEventCodec.BINARY_HEADER_PREFIX + "time", "yesterday at noon");
                yield CallEventRecords.record(topic, callId, headers, binary.data());
            }
        };
    }

    private ProducerRecord<String, byte[]> structured(String callId, byte[] value) {
        return CallEventRecords.structured(topic, callId, value);
    }
}
