package dev.callbridge.emulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The emulator's JSON: snake_case like Slack, absent values left out. Kept apart from the bridge's
 * own mapper so that the emulator reads what is on the wire, not what the bridge meant to write.
 */
final class EmulatorJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            // NON_NULL for map values too: answers are built as maps and Slack leaves absent fields out.
            .defaultPropertyInclusion(
                    JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private EmulatorJson() {}

    static ObjectMapper mapper() {
        return MAPPER;
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * {@code current} with the fields of {@code changes} written over it, so that a control request
     * names only what it changes; unknown fields are rejected, not ignored, so a typo is not lost.
     */
    static <T> T overlay(T current, byte[] changes, Class<T> type) throws IOException {
        if (!(MAPPER.readTree(changes) instanceof ObjectNode fields)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        ObjectNode merged = MAPPER.valueToTree(current);
        merged.setAll(fields);
        return MAPPER.treeToValue(merged, type);
    }
}
