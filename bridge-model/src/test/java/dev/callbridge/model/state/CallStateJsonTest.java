package dev.callbridge.model.state;

import static dev.callbridge.model.ModelFixtures.ALICE;
import static dev.callbridge.model.ModelFixtures.BOB;
import static dev.callbridge.model.ModelFixtures.fieldNames;
import static dev.callbridge.model.ModelFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.model.ModelFixtures;
import dev.callbridge.model.json.JsonSerde;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The state store's value and {@code slack.calls}: the whole bridge view of one call as JSON. */
class CallStateJsonTest {

    private final JsonSerde<CallState> serde = new JsonSerde<>(CallState.class);

    @Test
    void anEndingCallReadsBackEqual() {
        CallState state = ModelFixtures.endingCallState();

        CallState readBack = serde.fromBytes(serde.toBytes(state));

        assertThat(readBack).isEqualTo(state);
        assertThat(readBack.phase()).isEqualTo(CallState.Phase.ENDING);
        assertThat(readBack.desired().present()).containsExactly(BOB);
        assertThat(readBack.inFlight().op()).isEqualTo(ModelFixtures.removeParticipants());
    }

    @Test
    void aFreshCallReadsBackEqual() {
        CallState fresh = CallState.fresh(ModelFixtures.CALL_ID, Instant.parse("2026-01-31T09:29:59Z"));

        assertThat(serde.fromBytes(serde.toBytes(fresh))).isEqualTo(fresh);
    }

    @Test
    void spellsEveryFieldInSnakeCase() {
        JsonNode written = json(serde.toBytes(ModelFixtures.endingCallState()));

        assertThat(written.path("external_unique_id").asText()).isEqualTo(ModelFixtures.CALL_ID);
        assertThat(written.at("/desired/start/date_start").asLong()).isEqualTo(ModelFixtures.STARTED_AT_SECONDS);
        assertThat(written.at("/desired/desktop_app_join_url/value").asText()).isEqualTo(ModelFixtures.DESKTOP_URL);
        assertThat(written.at("/observed/slack_call_id").asText()).isEqualTo(ModelFixtures.SLACK_CALL_ID);
        assertThat(written.at("/in_flight/op/op_id").asText()).isEqualTo(ModelFixtures.removeParticipants().opId());
        assertThat(written.at("/last_failure/op_id").isTextual()).isTrue();
        assertThat(written.has("seen_events")).isTrue();
        assertThat(written.has("last_activity_at")).isTrue();
        // Participant keys ("slack:U0ALICE") are map keys, not field names, so they are left out of the check.
        assertThat(fieldNames(written))
                .filteredOn(name -> !name.contains(":"))
                .allMatch(name -> name.matches("[a-z][a-z0-9_]*"), "is snake_case");
    }

    @Test
    void keepsWhereTheBlockIsAndTheRepliesInItsThread() {
        JsonNode written = json(serde.toBytes(ModelFixtures.endingCallState()));

        assertThat(written.at("/observed/block_message/channel").asText()).isEqualTo("C0SUPPORT");
        assertThat(written.at("/observed/block_message/ts").asText()).isEqualTo(ModelFixtures.BLOCK_TS);
        assertThat(written.at("/observed/end_call_control/status").asText()).isEqualTo("POSTED");
        assertThat(written.at("/observed/end_call_control/ts").asText()).isEqualTo("1769851805.000300");
        assertThat(written.at("/observed/analysis_reply").isMissingNode()).isTrue();
        assertThat(written.at("/desired/analysis/summary").asText()).isEqualTo("Bob asked for a refund <today> & got it.");
        assertThat(written.at("/desired/start/source").asText()).isEqualTo(ModelFixtures.SOURCE);
    }

    @Test
    void aViewWrittenBeforeThreadRepliesReadsAsNotKnown() {
        JsonNode older = json(serde.toBytes(ModelFixtures.endingCallState()));
        ((ObjectNode) older.path("observed")).remove("block_message");
        ((ObjectNode) older.path("observed")).remove("end_call_control");
        ((ObjectNode) older.path("desired")).remove("analysis");
        ((ObjectNode) older.at("/desired/start")).remove("source");

        CallState read = serde.fromBytes(ModelFixtures.bytes(older));

        assertThat(read.observed().blockMessage()).isNull();
        assertThat(read.observed().thread()).isEmpty();
        assertThat(read.observed().endCallControl()).isNull();
        assertThat(read.observed().analysisReply()).isNull();
        assertThat(read.desired().analysis()).isNull();
        assertThat(read.desired().start().source()).isNull();
        assertThat(read.observed().block()).isEqualTo(ObservedCall.BlockStatus.POSTED);
    }

    @Test
    void keepsTheOperationInFlightPolymorphic() {
        JsonNode written = json(serde.toBytes(ModelFixtures.endingCallState()));

        assertThat(written.at("/in_flight/op/method").asText()).isEqualTo("calls.participants.remove");
        assertThat(written.at("/in_flight/op/users/0/slack_id").asText()).isEqualTo(ALICE.slackId());
    }

    @Test
    void writesTimesAsIsoTimestamps() {
        JsonNode written = json(serde.toBytes(ModelFixtures.endingCallState()));

        assertThat(written.path("last_activity_at").asText()).isEqualTo("2026-01-31T09:42:35Z");
        assertThat(written.at("/desired/end/order/time").asText()).isEqualTo("2026-01-31T09:42:34Z");
    }

    @Test
    void keysParticipantsByIdentity() {
        JsonNode written = json(serde.toBytes(ModelFixtures.endingCallState()));

        assertThat(written.at("/desired/participants").has(BOB.key())).isTrue();
        assertThat(written.at("/observed/participants").has(ALICE.key())).isTrue();
        assertThat(written.at("/observed/rejected/0").asText()).isEqualTo(BOB.key());
    }
}
