package dev.callbridge.topology;

import dev.callbridge.model.event.CallEventSerde;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The bridge's topics (SPEC §6) and the one place that knows their serdes. Every name takes an
 * optional common prefix, so several bridges can share a cluster.
 */
public record Topics(
        Topic<String, CallEvent> callEvents,
        Topic<byte[], byte[]> callEventsDeadLetters,
        Topic<String, CallOp> callOps,
        Topic<byte[], byte[]> callOpsDeadLetters,
        Topic<String, OpResult> callResults,
        Topic<String, CallState> calls) {

    public static final String CALL_EVENTS = "telephony.call-events";
    public static final String CALL_EVENTS_DLT = "telephony.call-events.dlt";
    public static final String CALL_OPS = "slack.call-ops";
    public static final String CALL_OPS_DLT = "slack.call-ops.dlt";
    public static final String CALL_RESULTS = "slack.call-results";
    public static final String CALLS = "slack.calls";

    public static Topics withPrefix(String prefix, int maxEventBytes) {
        String p = prefix == null ? "" : prefix;
        return new Topics(
                new Topic<>(p + CALL_EVENTS, Serdes.String(), new CallEventSerde(new CloudEventCodec(maxEventBytes))),
                new Topic<>(p + CALL_EVENTS_DLT, Serdes.ByteArray(), Serdes.ByteArray()),
                new Topic<>(p + CALL_OPS, Serdes.String(), new JsonSerde<>(CallOp.class)),
                new Topic<>(p + CALL_OPS_DLT, Serdes.ByteArray(), Serdes.ByteArray()),
                new Topic<>(p + CALL_RESULTS, Serdes.String(), new JsonSerde<>(OpResult.class)),
                new Topic<>(p + CALLS, Serdes.String(), new JsonSerde<>(CallState.class)));
    }

    public static Topics defaults() {
        return withPrefix("", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
    }
}
