package dev.callbridge.model.result;

import static dev.callbridge.model.ModelFixtures.CALL_ID;
import static dev.callbridge.model.ModelFixtures.fieldNames;
import static dev.callbridge.model.ModelFixtures.json;
import static dev.callbridge.model.ModelFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.model.ModelFixtures;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.SlackMethod;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code slack.call-results} values: one JSON object per outcome, its kind in {@code outcome}. */
class OpResultJsonTest {

    private final JsonSerde<OpResult> serde = new JsonSerde<>(OpResult.class);

    static Stream<Arguments> everyOutcome() {
        return Stream.of(
                Arguments.of("succeeded", ModelFixtures.callAdded()),
                Arguments.of("rate_limited", ModelFixtures.participantsAddRateLimited()),
                Arguments.of("retrying", ModelFixtures.updateRetrying()),
                Arguments.of("failed", ModelFixtures.postBlockFailed()),
                Arguments.of("redriven", ModelFixtures.addParticipantsRedriven()),
                Arguments.of("inspected", ModelFixtures.callInspected()),
                Arguments.of("expired", ModelFixtures.participantsAddExpired()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOutcome")
    void namesTheOutcomeAndReadsBackTheSameResult(String outcome, OpResult result) {
        byte[] written = serde.toBytes(result);

        assertThat(json(written).path("outcome").asText()).isEqualTo(outcome);
        assertThat(serde.fromBytes(written)).isEqualTo(result);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOutcome")
    void spellsEveryFieldInSnakeCaseAndTheMethodAsSlackDoes(String outcome, OpResult result) {
        JsonNode written = json(serde.toBytes(result));

        assertThat(written.path("op_id").asText()).isEqualTo(result.opId());
        assertThat(written.path("external_unique_id").asText()).isEqualTo(CALL_ID);
        assertThat(written.path("method").asText()).isEqualTo(result.method().apiName());
        assertThat(fieldNames(written)).allMatch(name -> name.matches("[a-z][a-z0-9_]*"), "is snake_case");
    }

    @Test
    void everyKindOfOutcomeIsCovered() {
        List<Class<?>> covered = everyOutcome().<Class<?>>map(arguments -> arguments.get()[1].getClass()).toList();

        assertThat(covered).containsExactlyInAnyOrder(OpResult.class.getPermittedSubclasses());
    }

    @Test
    void writesRetryAfterAsAnIsoDuration() {
        JsonNode written = json(serde.toBytes(ModelFixtures.participantsAddRateLimited()));

        assertThat(written.path("retry_after").asText()).isEqualTo("PT30S");
    }

    @Test
    void readsAResultWrittenByHand() {
        String record = """
                {"outcome": "failed",
                 "op_id": "6f1c2a90-3d5e-4b8f-9a41-2c7d8e0b5f13:5:calls.end",
                 "external_unique_id": "6f1c2a90-3d5e-4b8f-9a41-2c7d8e0b5f13",
                 "method": "calls.end", "attempt": 6, "error": "service_unavailable", "retries_exhausted": true}
                """;

        assertThat(serde.fromBytes(utf8(record))).isEqualTo(new OpResult.Failed(
                CALL_ID + ":5:calls.end", CALL_ID, SlackMethod.CALLS_END, 6, "service_unavailable", true));
    }

    @Test
    void readsARateLimitWrittenByHand() {
        String record = """
                {"outcome": "rate_limited", "op_id": "c:1:calls.add", "external_unique_id": "c",
                 "method": "calls.add", "attempt": 1, "retry_after": "PT1M"}
                """;

        assertThat(serde.fromBytes(utf8(record))).isEqualTo(
                new OpResult.RateLimited("c:1:calls.add", "c", SlackMethod.CALLS_ADD, 1, Duration.ofMinutes(1)));
    }
}
