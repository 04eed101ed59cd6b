package dev.callbridge.topics;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventSerde;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The bridge's topics (SPEC §6) and the one place that knows their serdes. Every name takes an
 * optional common prefix, so several bridges can share a cluster.
 */
public record Topics(
        Topic<String, CallEvent> callEvents,
        Topic<byte[], byte[]> callEventsDeadLetters,
        Topic<String, CallOp> callOps,
        List<RetryTier> callOpsRetries,
        Topic<byte[], byte[]> callOpsDeadLetters,
        Topic<String, OpResult> callResults,
        Topic<String, CallState> calls,
        Topic<String, byte[]> installations) {

    public static final String CALL_EVENTS = "telephony.call-events";
    public static final String CALL_EVENTS_DLT = "telephony.call-events.dlt";
    public static final String CALL_OPS = "slack.call-ops";
    public static final String CALL_OPS_DLT = "slack.call-ops.dlt";
    /** Delay tiers for operations waiting on rate limits and retries: {@code slack.call-ops.retry-5s} and so on. */
    public static final List<Duration> RETRY_DELAYS =
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));
    public static final String CALL_RESULTS = "slack.call-results";
    public static final String CALLS = "slack.calls";
    public static final String INSTALLATIONS = "slack.installations";

    public static Topics withPrefix(String prefix, int maxEventBytes) {
        String p = prefix == null ? "" : prefix;
        return new Topics(
                new Topic<>(p + CALL_EVENTS, Serdes.String(), new CallEventSerde(new CloudEventCodec(maxEventBytes))),
                new Topic<>(p + CALL_EVENTS_DLT, Serdes.ByteArray(), Serdes.ByteArray()),
                new Topic<>(p + CALL_OPS, Serdes.String(), new JsonSerde<>(CallOp.class)),
                RETRY_DELAYS.stream().map(d -> new RetryTier(p + CALL_OPS + ".retry-" + label(d), d)).toList(),
                new Topic<>(p + CALL_OPS_DLT, Serdes.ByteArray(), Serdes.ByteArray()),
                new Topic<>(p + CALL_RESULTS, Serdes.String(), new JsonSerde<>(OpResult.class)),
                new Topic<>(p + CALLS, Serdes.String(), new JsonSerde<>(CallState.class)),
                // Raw values: the installation store reads them itself, so an unreadable one is skipped, not fatal.
                new Topic<>(p + INSTALLATIONS, Serdes.String(), Serdes.ByteArray()));
    }

    /**
     * The tier an operation waiting {@code wait} is parked in: the longest whose delay does not exceed
     * the wait, else the shortest. Every record of a tier is released its delay after it was parked
     * (or sooner, in the shortest tier), so a tier's records come due in the order they were written
     * and none waits behind another that is due later; what remains of a long wait is spent in the
     * next shorter tier.
     */
    public RetryTier parkingTierFor(Duration wait) {
        RetryTier chosen = callOpsRetries.get(0);
        for (RetryTier tier : callOpsRetries) {
            if (tier.delay().compareTo(wait) <= 0) {
                chosen = tier;
            }
        }
        return chosen;
    }

    /** Every topic name the bridge reads or writes, less {@link #installations}, which only the Slack app uses. */
    public List<String> names() {
        List<String> names = new ArrayList<>(List.of(callEvents.name(), callEventsDeadLetters.name(), callOps.name(),
                callOpsDeadLetters.name(), callResults.name(), calls.name()));
        callOpsRetries.forEach(tier -> names.add(tier.topic()));
        return names;
    }

    private static String label(Duration delay) {
        return delay.toSeconds() % 60 == 0 ? delay.toMinutes() + "m" : delay.toSeconds() + "s";
    }
}
