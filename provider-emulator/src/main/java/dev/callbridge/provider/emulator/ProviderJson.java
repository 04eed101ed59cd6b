package dev.callbridge.provider.emulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The emulated platform's JSON: snake_case, absent values left out, unknown fields of a control refused. */
final class ProviderJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .defaultPropertyInclusion(
                    JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ProviderJson() {}

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

    /** {@code current} with the fields of {@code changes} written over it, so that a control names only what it changes. */
    static <T> T overlay(T current, byte[] changes, Class<T> type) throws IOException {
        if (!(MAPPER.readTree(changes) instanceof ObjectNode fields)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        ObjectNode merged = MAPPER.valueToTree(current);
        merged.setAll(fields);
        return MAPPER.treeToValue(merged, type);
    }
}
