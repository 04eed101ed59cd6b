package dev.callbridge.model.op;

import static dev.callbridge.model.ModelFixtures.ALICE;
import static dev.callbridge.model.ModelFixtures.CALL_ID;
import static dev.callbridge.model.ModelFixtures.SLACK_CALL_ID;
import static dev.callbridge.model.ModelFixtures.fieldNames;
import static dev.callbridge.model.ModelFixtures.json;
import static dev.callbridge.model.ModelFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.model.ModelFixtures;
import dev.callbridge.model.json.JsonSerde;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code slack.call-ops} values: one JSON object per operation, its Slack method name in {@code method}. */
class CallOpJsonTest {

    private final JsonSerde<CallOp> serde = new JsonSerde<>(CallOp.class);

    static Stream<Arguments> everyOperation() {
        return Stream.of(
                Arguments.of("calls.add", ModelFixtures.addCall()),
                Arguments.of("chat.postMessage", ModelFixtures.postCallBlock()),
                Arguments.of("calls.participants.add", ModelFixtures.addParticipants()),
                Arguments.of("calls.participants.remove", ModelFixtures.removeParticipants()),
                Arguments.of("calls.update", ModelFixtures.updateCall()),
                Arguments.of("calls.end", ModelFixtures.endCall()),
                Arguments.of("calls.info", ModelFixtures.inspectCall()),
                Arguments.of("chat.postMessage:analysis", ModelFixtures.postAnalysis()),
                Arguments.of("chat.postMessage:end_call_control", ModelFixtures.postEndCallControl()),
                Arguments.of("chat.update:end_call_control", ModelFixtures.showCallEnded()),
                Arguments.of("conversations.replies", ModelFixtures.findReply()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOperation")
    void namesTheSlackMethodAndReadsBackTheSameOperation(String method, CallOp op) {
        byte[] written = serde.toBytes(op);

        assertThat(json(written).path("method").asText()).isEqualTo(method).startsWith(op.method().apiName());
        assertThat(serde.fromBytes(written)).isEqualTo(op);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOperation")
    void spellsEveryFieldInSnakeCase(String method, CallOp op) {
        JsonNode written = json(serde.toBytes(op));

        assertThat(written.path("op_id").asText()).isEqualTo(op.opId());
        assertThat(written.path("external_unique_id").asText()).isEqualTo(CALL_ID);
        assertThat(fieldNames(written)).allMatch(name -> name.matches("[a-z][a-z0-9_]*"), "is snake_case");
    }

    @Test
    void everyKindOfOperationIsCovered() {
        List<Class<?>> covered = everyOperation().<Class<?>>map(arguments -> arguments.get()[1].getClass()).toList();

        assertThat(covered).containsExactlyInAnyOrderElementsOf(variants(CallOp.class).toList());
    }

    private static Stream<Class<?>> variants(Class<?> type) {
        return type.isSealed() ? Stream.of(type.getPermittedSubclasses()).flatMap(CallOpJsonTest::variants) : Stream.of(type);
    }

    @Test
    void aThreadReplyCarriesItsThreadAndWhetherToLookForItFirst() {
        JsonNode written = json(serde.toBytes(ModelFixtures.postEndCallControl()));

        assertThat(written.path("channel").asText()).isEqualTo("C0SUPPORT");
        assertThat(written.path("thread_ts").asText()).isEqualTo(ModelFixtures.BLOCK_TS);
        assertThat(written.path("look_first").asBoolean()).isTrue();
        assertThat(fieldNames(written)).containsExactlyInAnyOrder("method", "op_id", "external_unique_id", "team_id",
                "channel", "thread_ts", "look_first");
    }

    @Test
    void addCallCarriesTheCallDetailsAndUsersInSlacksShape() {
        JsonNode written = json(serde.toBytes(ModelFixtures.addCall()));

        assertThat(written.path("join_url").asText()).isEqualTo(ModelFixtures.JOIN_URL);
        assertThat(written.path("desktop_app_join_url").asText()).isEqualTo(ModelFixtures.DESKTOP_URL);
        assertThat(written.path("external_display_id").asText()).isEqualTo("4711");
        assertThat(written.path("created_by").asText()).isEqualTo("U0HOST");
        assertThat(written.path("date_start").asLong()).isEqualTo(ModelFixtures.STARTED_AT_SECONDS);
        assertThat(written.path("users")).containsExactly(
                json("{\"slack_id\": \"U0ALICE\"}"),
                json("""
                        {"external_id": "+15550100", "display_name": "Bob Caller",
                         "avatar_url": "https://example.com/avatars/bob.png"}
                        """));
    }

    @Test
    void leavesOutFieldsThatAreNotSet() {
        JsonNode written = json(serde.toBytes(ModelFixtures.updateCall()));

        assertThat(written.has("team_id")).isFalse();
        assertThat(written.has("desktop_app_join_url")).isFalse();
    }

    @Test
    void readsAnOperationWrittenByHand() {
        String record = """
                {"method": "calls.participants.remove",
                 "op_id": "6f1c2a90-3d5e-4b8f-9a41-2c7d8e0b5f13:3:calls.participants.remove",
                 "external_unique_id": "6f1c2a90-3d5e-4b8f-9a41-2c7d8e0b5f13",
                 "slack_call_id": "R0CALL1",
                 "users": [{"slack_id": "U0ALICE"}]}
                """;

        assertThat(serde.fromBytes(utf8(record))).isEqualTo(new CallOp.RemoveParticipants(
                CallOp.opId(CALL_ID, 3, SlackMethod.CALLS_PARTICIPANTS_REMOVE), CALL_ID, null, SLACK_CALL_ID,
                List.of(ALICE)));
    }

    @Test
    void refusesAnUnknownMethod() {
        String record = """
                {"method": "calls.delete", "op_id": "x:1:calls.delete", "external_unique_id": "x"}
                """;

        assertThatThrownBy(() -> serde.fromBytes(utf8(record))).isInstanceOf(SerializationException.class);
    }

    @Test
    void aTombstoneStaysNull() {
        assertThat(serde.toBytes(null)).isNull();
        assertThat(serde.fromBytes(null)).isNull();
    }
}
