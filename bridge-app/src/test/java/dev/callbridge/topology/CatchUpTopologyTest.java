package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.state.CallState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call read from a backlog (its events written well before the bridge reads them) is added to Slack
 * once with what its backlog shows, rather than a request for each of its events.
 */
class CatchUpTopologyTest {

    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Participant BOB = Participant.external("+15550100", "Bob");
    private static final Participant CAROL = Participant.slackUser("U0CAROL");
    /** When the backlog's events were written: ten minutes before the bridge reads them. */
    private static final Instant WRITTEN = TopologyFixture.START.minus(Duration.ofMinutes(10));

    private TopologyFixture bridge = new TopologyFixture();
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", WRITTEN);

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void aBacklogCallIsAddedOnceWithEveryoneItsBacklogShowsWhenTheReadingHasMovedPastItsHold() {
        bridge.sendWrittenAt(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)), WRITTEN);
        bridge.sendWrittenAt(call.after(Duration.ofMillis(200)).joined(BOB), WRITTEN);
        bridge.sendWrittenAt(call.after(Duration.ofMillis(200)).joined(CAROL), WRITTEN);
        bridge.sendWrittenAt(call.after(Duration.ofMillis(200)).left(ALICE), WRITTEN);
        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.latestViews().get("call-1").phase()).isEqualTo(CallState.Phase.ADDING);

        // Another call's start, 2 s later in event time (the default hold): the first call is due.
        CallEvents other = CallEvents.sequenced("call-2", "pbx-eu", WRITTEN.plusMillis(2_000));
        bridge.sendWrittenAt(other.started("https://pbx.example/j/2"), WRITTEN);

        TestRecord<String, CallOp> add = bridge.ops.readRecord();
        assertThat(add.key()).isEqualTo("call-1");
        assertThat(add.value()).isInstanceOfSatisfying(CallOp.AddCall.class,
                a -> assertThat(a.users()).containsExactlyInAnyOrder(BOB, CAROL));
        assertThat(add.timestamp()).isEqualTo(WRITTEN.toEpochMilli());
        assertThat(bridge.ops.isEmpty()).isTrue();
        assertThat(held()).isEqualTo(2.0);
    }

    @Test
    void aBacklogCallThatEndedTakesThreeRequestsWhereItsEventsWouldTakeNine() {
        List<Participant> people = List.of(Participant.external("+15550101", "One"),
                Participant.external("+15550102", "Two"), Participant.external("+15550103", "Three"),
                Participant.external("+15550104", "Four"), Participant.external("+15550105", "Five"));
        bridge.sendWrittenAt(call.started("https://pbx.example/j/1", "Standup", null, List.of()), WRITTEN);
        for (Participant person : people) {
            bridge.sendWrittenAt(call.after(Duration.ofMillis(180)).joined(person), WRITTEN);
        }
        bridge.sendWrittenAt(call.after(Duration.ofMillis(150)).left(people.get(3)), WRITTEN);
        bridge.sendWrittenAt(call.after(Duration.ofMillis(150)).left(people.get(4)), WRITTEN);
        bridge.sendWrittenAt(call.after(Duration.ofMillis(200)).ended(), WRITTEN);
        bridge.answerOps();

        assertThat(bridge.allOps()).extracting(CallOp::method).containsExactly(SlackMethod.CALLS_ADD,
                SlackMethod.CHAT_POST_MESSAGE, SlackMethod.CALLS_END);
        CallState view = bridge.latestViews().get("call-1");
        assertThat(view.phase()).isEqualTo(CallState.Phase.ENDED);
        assertThat(view.observed().participants()).containsOnlyKeys(people.get(0).key(), people.get(1).key(),
                people.get(2).key());
        assertThat(view.observed().duration()).isEqualTo(1L);
    }

    @Test
    void aHeldCallIsAddedOnTheWallClockWhenNothingMoreIsRead() {
        bridge.sendWrittenAt(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)), WRITTEN);

        bridge.driver.advanceWallClockTime(Duration.ofMillis(1_500));
        assertThat(bridge.newOps()).isEmpty();
        bridge.driver.advanceWallClockTime(Duration.ofMillis(600));

        assertThat(bridge.newOps()).singleElement().isInstanceOfSatisfying(CallOp.AddCall.class,
                a -> assertThat(a.users()).containsExactly(ALICE));
    }

    @Test
    void aHeldCallsNextLiveEventHasItAddedAtOnce() {
        bridge.sendWrittenAt(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)), WRITTEN);

        bridge.sendWrittenAt(call.after(Duration.ofMillis(200)).joined(BOB), TopologyFixture.START);

        assertThat(bridge.newOps()).singleElement().isInstanceOfSatisfying(CallOp.AddCall.class,
                a -> assertThat(a.users()).containsExactlyInAnyOrder(ALICE, BOB));
        // It is no longer held: the wall clock plans nothing more for it.
        bridge.driver.advanceWallClockTime(Duration.ofSeconds(3));
        assertThat(bridge.newOps()).isEmpty();
    }

    @Test
    void liveEventsAreNeverHeld() {
        bridge.sendWrittenAt(call.started("https://pbx.example/j/1"), TopologyFixture.START.minusMillis(1_900));

        assertThat(bridge.newOps()).singleElement().isInstanceOf(CallOp.AddCall.class);
        assertThat(held()).isZero();
    }

    @Test
    void withNoHoldEveryBacklogCallIsAddedAsItsStartIsRead() {
        bridge.close();
        bridge = new TopologyFixture(BridgeConfig.defaults(Map.of("events.max.bytes", "4096",
                "slack.default.channel", "C0CALLS", "calls.catchup.hold", "0")).topology());

        bridge.sendWrittenAt(call.started("https://pbx.example/j/1"), WRITTEN);

        assertThat(bridge.newOps()).singleElement().isInstanceOf(CallOp.AddCall.class);
    }

    private double held() {
        var counter = bridge.metrics.registry().find("bridge.calls.add.held").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anEventTimeAheadOfTheWallClockDoesNotReleaseTheHeldCalls() {
        // A call of a minute ago, held until 2 s later in event time...
        CallEvents recent = CallEvents.sequenced("call-1", "pbx-eu", TopologyFixture.START.minusMillis(1_000));
        bridge.sendWrittenAt(recent.started("https://pbx.example/j/1"), WRITTEN);
        // ... and an event from a producer whose clock runs an hour fast.
        CallEvents fast = CallEvents.sequenced("call-2", "pbx-fast", TopologyFixture.START.plus(Duration.ofHours(1)));
        bridge.sendWrittenAt(fast.started("https://pbx.example/j/2"), WRITTEN);

        assertThat(bridge.newOps()).isEmpty();
        assertThat(held()).isEqualTo(2.0);
    }

    @Test
    void theEventThatWouldMakeAHeldCallTooLargeOnceAddedIsDeadLettered() {
        bridge.sendWrittenAt(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)), WRITTEN);
        bridge.sendWrittenAt(call.after(Duration.ofMillis(200)).joined(BOB), WRITTEN);
        CallState held = bridge.storedState("call-1");
        // As if Kafka had refused an operation a little larger than the held call's record.
        byte[] key = "call-1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] value = bridge.config.topics().calls().valueSerde().serializer().serialize("", held);
        bridge.recordLimits.refused("slack.call-ops", key, new byte[value.length + 64]);

        bridge.sendWrittenAt(call.after(Duration.ofMillis(200)).updated("Standuq", null, null), WRITTEN);

        assertThat(bridge.deadLettered("telephony.call-events.dlt", "call_state_too_large")).isEqualTo(1.0);
        assertThat(bridge.storedState("call-1")).isEqualTo(held);
    }
}
