package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.reconcile.Reconciler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A call may grow only so far: an event that would take its state past {@code calls.state.max.bytes}
 * or its distinct participants past {@code calls.participants.max} is dead-lettered and the call stays
 * as it was, so no record the topology writes can outgrow what Kafka takes.
 */
class CallStateLimitTest {

    private static final String EVENTS_DLT = "telephony.call-events.dlt";
    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Participant BOB = Participant.slackUser("U0BOB");
    private static final Participant CAROL = Participant.slackUser("U0CAROL");
    private static final Participant DAN = Participant.slackUser("U0DAN");

    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", TopologyFixture.START);

    private static TopologyFixture bridgeWith(CallStateLimit limit) {
        TopologyConfig usual = TopologyFixture.usualConfig();
        return new TopologyFixture(new TopologyConfig(usual.topics(), usual.reconciler(), usual.sweepInterval(),
                usual.recoveryRetention(), limit, usual.callPartitions()));
    }

    @Test
    void anEventThatWouldGrowTheStatePastItsLimitIsDeadLetteredAndTheCallStaysAsItWas() {
        try (TopologyFixture bridge = new TopologyFixture()) {
            bridge.send(call.started("https://pbx.example/j/1"));
            bridge.answerOps();
            bridge.latestViews();

            // Every event's id is remembered for deduplication: long ids fill the state up to the default limit.
            CallState before = null;
            byte[] refused = null;
            for (int i = 0; i < 200 && bridge.eventDeadLetters.isEmpty(); i++) {
                before = bridge.storedState("call-1");
                refused = structured(withId(call.after(Duration.ofSeconds(1)).updated("Title " + i, null, null),
                        i + "x".repeat(3500)));
                bridge.sendRaw("call-1", refused);
            }

            byte[] lastSent = refused;
            assertThat(bridge.eventDeadLetters.readRecordsToList()).singleElement().satisfies(record -> {
                DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
                assertThat(deadLetter.reason()).isEqualTo("call_state_too_large");
                assertThat(deadLetter.detail()).contains("call call-1", "calls.state.max.bytes (524288)");
                assertThat(record.value()).isEqualTo(lastSent);
            });
            assertThat(bridge.storedState("call-1")).isEqualTo(before);
            assertThat(bridge.latestViews().get("call-1")).isEqualTo(before);
            assertThat(bridge.deadLettered(EVENTS_DLT, "call_state_too_large")).isEqualTo(1);

            // Other calls go on.
            bridge.send(CallEvents.sequenced("call-2", "pbx-eu", TopologyFixture.START)
                    .started("https://pbx.example/j/2"));
            assertThat(bridge.newOps()).extracting(CallOp::externalUniqueId).contains("call-2");
        }
    }

    @Test
    void aCallTakesNoMoreDistinctParticipantsThanAllowedButKeepsTheOnesItHas() {
        try (TopologyFixture bridge = bridgeWith(new CallStateLimit(TopologyFixture.usualConfig().stateLimit().maxBytes(), 3))) {
            bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
            bridge.send(call.after(Duration.ofSeconds(1)).joined(BOB));
            bridge.send(call.after(Duration.ofSeconds(1)).joined(CAROL));
            bridge.answerOps();

            bridge.send(call.after(Duration.ofSeconds(1)).joined(DAN));
            bridge.send(call.after(Duration.ofSeconds(1)).left(BOB));
            bridge.send(call.after(Duration.ofSeconds(1)).joined(BOB));
            bridge.send(call.after(Duration.ofSeconds(1)).left(CAROL));
            bridge.answerOps();

            assertThat(bridge.eventDeadLetters.readRecordsToList()).singleElement().satisfies(record -> {
                DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
                assertThat(deadLetter.reason()).isEqualTo("too_many_participants");
                assertThat(deadLetter.detail())
                        .contains("call call-1", "4 distinct participants", "calls.participants.max (3)");
            });
            assertThat(bridge.storedState("call-1").observed().participants()).containsOnlyKeys(ALICE.key(), BOB.key());
            assertThat(bridge.deadLettered(EVENTS_DLT, "too_many_participants")).isEqualTo(1);
        }
    }

    @Test
    void slacksAnswersMayTakeACallPastTheEventLimitSinceTheyOnlyCatchUpWithIt() {
        List<Participant> everyone = IntStream.range(0, 20)
                .mapToObj(i -> Participant.external("+1555010" + String.format("%04d", i), "Caller " + i))
                .toList();
        CallEvent started = call.started("https://pbx.example/j/1", "All hands", null, everyone);
        // The limit is exactly what the start needs; Slack's answer adds the people as shown.
        int startedBytes = stateBytes(new Reconciler(TopologyFixture.usualConfig().reconciler())
                .onEvent(null, started, TopologyFixture.START).state());
        try (TopologyFixture bridge = bridgeWith(new CallStateLimit(startedBytes, 1000))) {
            bridge.send(started);
            bridge.answerOps();

            assertThat(bridge.eventDeadLetters.isEmpty()).isTrue();
            assertThat(stateBytes(bridge.storedState("call-1"))).isGreaterThan(startedBytes);
            assertThat(bridge.storedState("call-1").observed().participants()).hasSize(20);
            assertThat(bridge.allOps()).extracting(CallOp::method)
                    .containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE);

            // A call over its limit still ends: call.ended never counts as growth.
            bridge.send(call.after(Duration.ofMinutes(5)).ended());
            assertThat(bridge.eventDeadLetters.isEmpty()).isTrue();
            assertThat(bridge.newOps()).extracting(CallOp::method).containsExactly(SlackMethod.CALLS_END);
        }
    }

    @Test
    void onceATopicRefusedAViewAStateAsLargeIsDeadLetteredInsteadOfWritten() {
        try (TopologyFixture bridge = new TopologyFixture()) {
            bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
            bridge.answerOps();
            CallState before = bridge.storedState("call-1");
            refusedJustAbove(bridge, "slack.calls", before);

            bridge.send(call.after(Duration.ofSeconds(1)).updated("A much longer title than the one it had", null, null));

            assertThat(bridge.eventDeadLetters.readRecordsToList()).singleElement().satisfies(record -> {
                DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
                assertThat(deadLetter.reason()).isEqualTo("call_state_too_large");
                assertThat(deadLetter.detail()).contains("call call-1", "a record of it may take");
            });
            assertThat(bridge.storedState("call-1")).isEqualTo(before);
            assertThat(bridge.newOps()).isEmpty();
        }
    }

    @Test
    void aResultThatWouldTakeTheStatePastWhatARecordMayTakeIsDeadLetteredWithTheResults() {
        try (TopologyFixture bridge = new TopologyFixture()) {
            bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
            bridge.answerOps();
            CallState before = bridge.storedState("call-1");
            refusedJustAbove(bridge, "slack.calls", before);
            List<Participant> crowd = IntStream.range(0, 50).mapToObj(i -> Participant.slackUser("U0GUEST" + i)).toList();

            bridge.results.pipeInput("call-1", new OpResult.Inspected("call-1:inspect:1", "call-1", SlackMethod.CALLS_INFO,
                    1, before.observed().slackCallId(), false, crowd, "Standup", "https://pbx.example/j/1", null, List.of()));

            assertThat(bridge.opDeadLetters.readRecordsToList()).singleElement().satisfies(record -> {
                DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
                assertThat(deadLetter.reason()).isEqualTo("call_state_too_large");
                assertThat(deadLetter.origin().topic()).isEqualTo("slack.call-results");
            });
            assertThat(bridge.storedState("call-1")).isEqualTo(before);
            assertThat(bridge.deadLettered("slack.call-ops.dlt", "call_state_too_large")).isEqualTo(1);
        }
    }

    @Test
    void theSweeperLeavesACallAsItWasWhenEndingItWouldBeMoreThanARecordMayTake() {
        try (TopologyFixture bridge = new TopologyFixture()) {
            bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
            bridge.answerOps();
            CallState before = bridge.storedState("call-1");
            refusedJustAbove(bridge, "slack.calls", before);

            bridge.driver.advanceWallClockTime(Duration.ofHours(13));

            assertThat(bridge.newOps()).isEmpty();
            assertThat(bridge.storedState("call-1")).isEqualTo(before);
            assertThat(bridge.eventDeadLetters.isEmpty()).isTrue();
        }
    }

    /** As if Kafka had refused, for {@code topic}, a record a few bytes larger than {@code state}'s. */
    private static void refusedJustAbove(TopologyFixture bridge, String topic, CallState state) {
        bridge.recordLimits.refused(topic, null, new byte[stateBytes(state) + 8]);
    }

    private static int stateBytes(CallState state) {
        return state.externalUniqueId().getBytes(StandardCharsets.UTF_8).length
                + TopologyFixture.usualConfig().topics().calls().valueSerde().serializer().serialize("", state).length;
    }

    private static CallEvent withId(CallEvent event, String id) {
        return new CallEvent(id, event.source(), event.type(), event.subject(), event.time(), event.sequence(),
                event.data());
    }

    private static byte[] structured(CallEvent event) {
        return new CloudEventCodec(4096).encodeStructured(event);
    }
}
