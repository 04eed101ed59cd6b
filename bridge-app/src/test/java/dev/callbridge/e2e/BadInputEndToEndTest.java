package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Malformed records in the middle of good traffic: each is dead-lettered with a reason, no good call suffers. */
class BadInputEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void malformedRecordsBetweenGoodOnesAreAllDeadLetteredWithAReasonAndEveryGoodCallConverges() {
        CallScenario scenario = CallScenario.lifecycles("e2e-bad-", 10);
        List<CallEvent> good = scenario.inOrder();
        Map<String, byte[]> bad = malformed(good.get(0));
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-bad-")) {
            rig.startService(rig.settings("one"));
            // One bad record after every few good ones, on the keys of good calls so they share their partitions.
            int every = good.size() / (bad.size() + 1);
            List<Map.Entry<String, byte[]>> badRecords = new ArrayList<>(bad.entrySet());
            for (int i = 0; i < good.size(); i++) {
                rig.send(List.of(good.get(i)));
                int slot = i / every;
                if (i % every == every - 1 && slot < badRecords.size()) {
                    rig.sendRaw(good.get(i).subject(), badRecords.get(slot).getValue(), Map.of());
                }
            }

            rig.expect.awaitConverged(scenario.expected());
            rig.expect.assertExactlyOnce(scenario.expected());
            rig.expect.assertNoSlackErrors();
            List<ConsumerRecord<byte[], byte[]>> deadLetters = await()
                    .atMost(SlackExpectations.CONVERGENCE_TIMEOUT).pollInterval(SlackExpectations.POLL)
                    .until(() -> rig.committed(rig.topics.callEventsDeadLetters().name()),
                            records -> records.size() >= bad.size());
            assertThat(deadLetters).hasSize(bad.size());
            assertThat(deadLetters).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .as("dead letters hold the records untouched")
                    .containsExactlyInAnyOrderElementsOf(bad.values().stream()
                            .map(v -> new String(v, StandardCharsets.UTF_8)).toList());
            for (ConsumerRecord<byte[], byte[]> record : deadLetters) {
                DeadLetter.Reading reading = DeadLetter.from(record.headers());
                assertThat(reading).as("dead-letter headers of %s", new String(record.value(), StandardCharsets.UTF_8))
                        .isInstanceOf(DeadLetter.Reading.Valid.class);
                assertThat(reading.orElseThrow().reason()).isNotBlank();
            }
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
        }
    }

    /** One record per way a producer can get it wrong, built from a good event where that helps. */
    private static Map<String, byte[]> malformed(CallEvent template) {
        byte[] valid = new CloudEventCodec().encodeStructured(template);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("truncated JSON", utf8("{\"specversion\":\"1.0\",\"id\":"));
        bad.put("not JSON", utf8("call started, join at https://pbx.example/j/1"));
        bad.put("a JSON array", utf8("[1,2,3]"));
        bad.put("no attributes", utf8("{\"specversion\":\"1.0\"}"));
        bad.put("unknown type", edited(valid, node -> node.put("type", "call.exploded")));
        bad.put("wrong spec version", edited(valid, node -> node.put("specversion", "0.3")));
        bad.put("no subject", edited(valid, node -> node.remove("subject")));
        bad.put("started without data", edited(valid, node -> node.remove("data")));
        bad.put("bad time", edited(valid, node -> node.put("time", "yesterday at noon")));
        bad.put("too large", edited(valid, node -> node.put("padding",
                "x".repeat(CloudEventCodec.DEFAULT_MAX_RECORD_BYTES + 1))));
        return bad;
    }

    private static byte[] edited(byte[] event, Consumer<ObjectNode> edit) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(event);
            node.put("id", node.get("id").asText() + "-broken");
            edit.accept(node);
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
