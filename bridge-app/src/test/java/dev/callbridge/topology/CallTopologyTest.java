package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallTopologyTest {

    private static final Participant ALICE = Participant.slackUser("U0ALICE");
    private static final Participant BOB = Participant.external("+15550100", "Bob");

    private final TopologyFixture bridge = new TopologyFixture();
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", TopologyFixture.START);

    @AfterEach
    void close() {
        bridge.close();
    }

    private static List<SlackMethod> methods(List<CallOp> ops) {
        return ops.stream().map(CallOp::method).toList();
    }

    @Test
    void theBridgeRunsExactlyOnce() {
        java.util.Properties props = CallTopology.streamsProperties(TopologyFixture.usualConfig());

        assertThat(props).containsEntry(org.apache.kafka.streams.StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2");
    }

    @Test
    void theReconcilerFetchesALittleOfEachInputPartitionSoAnswersAreNotHeldBehindABacklog() {
        java.util.Properties props = CallTopology.streamsProperties(TopologyFixture.usualConfig());

        assertThat(props).containsEntry(org.apache.kafka.streams.StreamsConfig.mainConsumerPrefix(
                org.apache.kafka.clients.consumer.ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 64 * 1024);
    }

    @Test
    void theReconcilersProducerAsksAgainSoonWhenTheBrokerIsStillFinishingATransaction() {
        java.util.Properties props = CallTopology.streamsProperties(TopologyFixture.usualConfig());

        assertThat(props).containsEntry(org.apache.kafka.streams.StreamsConfig.producerPrefix(
                org.apache.kafka.clients.producer.ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
    }

    @Test
    void aNormalLifecycleBecomesAddPostParticipantsAndEnd() {
        bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        bridge.answerOps();
        bridge.send(call.after(Duration.ofSeconds(5)).joined(BOB));
        bridge.answerOps();
        bridge.send(call.after(Duration.ofSeconds(30)).left(ALICE));
        bridge.answerOps();
        bridge.send(call.after(Duration.ofSeconds(30)).ended());
        bridge.answerOps();

        assertThat(methods(bridge.allOps())).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE,
                SlackMethod.CALLS_PARTICIPANTS_ADD, SlackMethod.CALLS_PARTICIPANTS_REMOVE, SlackMethod.CALLS_END);
        CallState view = bridge.latestViews().get("call-1");
        assertThat(view.phase()).isEqualTo(CallState.Phase.ENDED);
        assertThat(view.observed().slackCallId()).isEqualTo("R1");
        assertThat(view.observed().participants()).containsOnlyKeys(BOB.key());
        assertThat(view.observed().duration()).isEqualTo(65L);
        assertThat(bridge.storedState("call-1")).isEqualTo(view);
        assertThat(bridge.eventDeadLetters.isEmpty()).isTrue();
    }

    @Test
    void whatFollowsAnAnswerIsStampedWithWhenTheAnswerWasWrittenNotWithItsSortingTime() {
        bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        TestRecord<String, CallOp> add = bridge.ops.readRecord();
        long written = add.timestamp() + 2_000;
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(OpResult.WRITTEN_AT_HEADER, Long.toString(written).getBytes(StandardCharsets.US_ASCII));
        bridge.results.pipeInput(new TestRecord<>("call-1", bridge.success(add.value()), headers, add.timestamp()));

        TestRecord<String, CallOp> post = bridge.ops.readRecord();
        assertThat(post.value()).isInstanceOf(CallOp.PostCallBlock.class);
        assertThat(post.timestamp()).as("event-to-Slack latency counts from the answer").isEqualTo(written);
        TestRecord<String, CallState> view = bridge.views.readRecordsToList().get(1);
        assertThat(view.timestamp()).isEqualTo(written);
    }

    @Test
    void operationsAreKeyedByCallAndCarryNoInputHeadersOnlyWhenTheyWereIssuedAndTheirTimeout() {
        bridge.sendBinary(call.started("https://pbx.example/j/1"));

        TestRecord<String, CallOp> op = bridge.ops.readRecord();
        assertThat(op.key()).isEqualTo("call-1");
        assertThat(op.value()).isInstanceOf(CallOp.AddCall.class);
        assertThat(op.headers().toArray()).extracting(Header::key)
                .containsExactlyInAnyOrder(CallOp.ISSUED_AT_HEADER, CallOp.TIMEOUT_HEADER);
        assertThat(new String(op.headers().lastHeader(CallOp.TIMEOUT_HEADER).value(), StandardCharsets.US_ASCII))
                .isEqualTo(Long.toString(BridgeConfig.defaults().reconciler().opTimeout().toMillis()));
    }

    @Test
    void duplicatesSendNothingAndWriteNothing() {
        CallEvent started = call.started("https://pbx.example/j/1");
        CallEvent joined = call.after(Duration.ofSeconds(1)).joined(ALICE);
        bridge.send(started);
        bridge.answerOps();
        bridge.send(joined);
        bridge.answerOps();
        int ops = bridge.allOps().size();
        bridge.latestViews();

        bridge.send(started);
        bridge.send(joined);
        bridge.sendBinary(joined);

        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.views.isEmpty()).as("no new view for a duplicate").isTrue();
        assertThat(bridge.allOps()).hasSize(ops);
    }

    @Test
    void outOfOrderEventsConvergeToTheInOrderResult() {
        CallEvent started = call.started("https://pbx.example/j/1");
        CallEvent aliceJoins = call.after(Duration.ofSeconds(1)).joined(ALICE);
        CallEvent bobJoins = call.after(Duration.ofSeconds(1)).joined(BOB);
        CallEvent aliceLeaves = call.after(Duration.ofSeconds(1)).left(ALICE);
        CallEvent ended = call.after(Duration.ofSeconds(1)).ended();

        for (CallEvent event : List.of(aliceLeaves, bobJoins, started, aliceJoins, ended)) {
            bridge.send(event);
            bridge.answerOps();
        }

        CallOp.AddCall add = (CallOp.AddCall) bridge.allOps().get(0);
        assertThat(add.users()).containsExactly(BOB);
        CallState view = bridge.latestViews().get("call-1");
        assertThat(view.observed().participants()).containsOnlyKeys(BOB.key());
        assertThat(view.observed().ended()).isTrue();
        assertThat(methods(bridge.allOps())).containsExactly(SlackMethod.CALLS_ADD, SlackMethod.CHAT_POST_MESSAGE,
                SlackMethod.CALLS_END);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndTheNextGoodRecordIsProcessed() {
        bridge.sendRaw("call-1", "not json at all".getBytes(StandardCharsets.UTF_8));
        bridge.sendRaw("call-1", """
                {"specversion":"1.0","id":"e-1","source":"pbx-eu","type":"call.started",
                 "time":"2026-03-02T09:00:00Z","data":{"join_url":"https://pbx.example/j/1"}}""".getBytes(StandardCharsets.UTF_8));
        bridge.send(call.started("https://pbx.example/j/1"));

        List<TestRecord<byte[], byte[]>> deadLetters = bridge.eventDeadLetters.readRecordsToList();
        assertThat(deadLetters).hasSize(2);
        DeadLetter unparseable = DeadLetter.from(deadLetters.get(0).headers()).orElseThrow();
        DeadLetter missingField = DeadLetter.from(deadLetters.get(1).headers()).orElseThrow();
        assertThat(unparseable.reason()).isEqualTo("unparseable");
        assertThat(missingField.reason()).isEqualTo("missing_field");
        assertThat(missingField.detail()).contains("subject");
        assertThat(unparseable.origin()).isEqualTo(new DeadLetter.Origin("telephony.call-events", 0, 0));
        assertThat(missingField.origin().offset()).isEqualTo(1);
        assertThat(new String(deadLetters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not json at all");
        assertThat(new String(deadLetters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("call-1");

        assertThat(methods(bridge.newOps())).containsExactly(SlackMethod.CALLS_ADD);
    }

    @Test
    void otherInvalidRecordsAreDeadLetteredWithTheirReason() {
        bridge.sendRaw("call-9", null);
        bridge.sendRaw("call-9", ("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"call.moved\","
                + "\"subject\":\"call-9\",\"time\":\"2026-03-02T09:00:00Z\"}").getBytes(StandardCharsets.UTF_8));
        bridge.sendRaw("call-9", ("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"call.started\","
                + "\"subject\":\"call-9\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{\"title\":\"x\"}}")
                .getBytes(StandardCharsets.UTF_8));
        bridge.sendRaw("call-9", ("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"call.ended\","
                + "\"subject\":\"call-9\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{\"duration\":\"long\"}}")
                .getBytes(StandardCharsets.UTF_8));
        bridge.sendRaw("call-9", ("{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"call.ended\","
                + "\"subject\":\"call-9\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{\"disconnect_reason\":\""
                + "x".repeat(5000) + "\"}}").getBytes(StandardCharsets.UTF_8));

        List<TestRecord<byte[], byte[]>> deadLetters = bridge.eventDeadLetters.readRecordsToList();
        List<DeadLetter> read = deadLetters.stream().map(r -> DeadLetter.from(r.headers()).orElseThrow()).toList();
        assertThat(read).extracting(DeadLetter::reason)
                .containsExactly("unparseable", "unknown_type", "missing_field", "invalid_field", "oversize");
        assertThat(read.get(2).detail()).contains("data.join_url");
        assertThat(read.get(3).detail()).contains("data.duration");
        assertThat(bridge.newOps()).isEmpty();
    }

    @Test
    void aStartTimeInMillisecondsIsDeadLetteredAtInputAndNeverReachesSlack() {
        bridge.sendRaw("call-1", ("{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"pbx-eu\","
                + "\"type\":\"call.started\",\"subject\":\"call-1\",\"time\":\"2026-03-02T09:00:00Z\","
                + "\"data\":{\"join_url\":\"https://pbx.example/j/1\",\"date_start\":1772442000000}}")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(bridge.eventDeadLetters.readRecordsToList()).singleElement().satisfies(record -> {
            DeadLetter deadLetter = DeadLetter.from(record.headers()).orElseThrow();
            assertThat(deadLetter.reason()).isEqualTo("invalid_field");
            assertThat(deadLetter.detail())
                    .isEqualTo("data.date_start: 1772442000000 looks like milliseconds; expected Unix seconds");
        });
        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.storedState("call-1")).isNull();
    }

    @Test
    void anEventKeyedByAnythingButItsSubjectIsReKeyedToItsCall() {
        bridge.send("some-other-key", call.started("https://pbx.example/j/1"));
        bridge.send(null, call.after(Duration.ofSeconds(1)).joined(ALICE));
        bridge.answerOps();

        assertThat(bridge.allOps()).allSatisfy(op -> assertThat(op.externalUniqueId()).isEqualTo("call-1"));
        assertThat(bridge.storedState("call-1").observed().participants()).containsOnlyKeys(ALICE.key());
        assertThat(bridge.storedState("some-other-key")).isNull();
    }

    @Test
    void aBinaryModeEventUnderAnotherKeyIsReKeyedAndStillRead() {
        bridge.sendBinary("not-the-call", call.started("https://pbx.example/j/1"));

        assertThat(bridge.newOps()).singleElement().satisfies(op -> {
            assertThat(op).isInstanceOf(CallOp.AddCall.class);
            assertThat(op.externalUniqueId()).isEqualTo("call-1");
        });
        assertThat(bridge.eventDeadLetters.isEmpty()).isTrue();
    }

    @Test
    void theSweeperEndsAStaleCallOnceTheWallClockHasMovedOn() {
        bridge.send(call.started("https://pbx.example/j/1"));
        bridge.send(call.after(Duration.ofMinutes(2)).joined(ALICE));
        bridge.answerOps();
        List<CallOp> before = bridge.allOps();

        bridge.driver.advanceWallClockTime(Duration.ofHours(11));
        assertThat(bridge.newOps()).isEmpty();
        bridge.driver.advanceWallClockTime(Duration.ofHours(1).plusMinutes(2));

        List<CallOp> swept = bridge.newOps();
        assertThat(swept).singleElement().isInstanceOfSatisfying(CallOp.EndCall.class, end -> {
            assertThat(end.reason()).contains("sweeper");
            assertThat(end.duration()).isEqualTo(120L);
        });
        bridge.results.pipeInput("call-1", bridge.success(swept.get(0)));
        assertThat(bridge.latestViews().get("call-1").phase()).isEqualTo(CallState.Phase.ENDED);
        assertThat(before).hasSize(3);
    }

    @Test
    void anOperationWhoseAnswerNeverComesIsRecoveredWithCallsInfoByTheSweeper() {
        bridge.send(call.started("https://pbx.example/j/1"));
        bridge.answerOps();
        bridge.send(call.after(Duration.ofSeconds(5)).joined(ALICE));
        CallOp lost = bridge.newOps().get(0);
        assertThat(lost).isInstanceOf(CallOp.AddParticipants.class);

        bridge.driver.advanceWallClockTime(BridgeConfig.defaults().reconciler().opTimeout().plusMinutes(2));

        CallOp inspect = bridge.newOps().get(0);
        assertThat(inspect).isInstanceOfSatisfying(CallOp.InspectCall.class,
                info -> assertThat(info.slackCallId()).isEqualTo(bridge.storedState("call-1").observed().slackCallId()));
        // Slack shows Alice on the call: the lost calls.participants.add had worked, and is not sent again.
        bridge.results.pipeInput("call-1", new OpResult.Inspected(inspect.opId(), "call-1", SlackMethod.CALLS_INFO, 1,
                "R1", false, List.of(ALICE), null, "https://pbx.example/j/1", null, List.of("C0CALLS")));
        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.storedState("call-1").observed().participants()).containsOnlyKeys(ALICE.key());
        assertThat(bridge.storedState("call-1").inFlight()).isNull();
    }

    @Test
    void aResultCarryingAStaleOpIdIsIgnored() {
        bridge.send(call.started("https://pbx.example/j/1"));
        CallOp add = bridge.newOps().get(0);
        bridge.results.pipeInput("call-1", bridge.success(add));
        CallOp post = bridge.newOps().get(0);
        bridge.latestViews();
        CallState before = bridge.storedState("call-1");

        bridge.results.pipeInput("call-1",
                new OpResult.Succeeded(add.opId(), "call-1", SlackMethod.CALLS_ADD, 2, "R-OTHER", null, null, null));

        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.views.isEmpty()).isTrue();
        assertThat(bridge.storedState("call-1")).isEqualTo(before);
        assertThat(before.observed().slackCallId()).isEqualTo("R1");
        assertThat(before.inFlight().op()).isEqualTo(post);
    }

    @Test
    void anUnreadableResultIsDeadLetteredAndResultsAfterItStillCount() {
        bridge.send(call.started("https://pbx.example/j/1"));
        CallOp add = bridge.newOps().get(0);
        bridge.driver.createInputTopic(bridge.config.topics().callResults().name(),
                        new org.apache.kafka.common.serialization.StringSerializer(),
                        new org.apache.kafka.common.serialization.StringSerializer())
                .pipeInput("call-1", "{\"outcome\":\"exploded\"}");
        bridge.results.pipeInput("call-1", bridge.success(add));

        List<TestRecord<byte[], byte[]>> deadLetters = bridge.opDeadLetters.readRecordsToList();
        assertThat(deadLetters).singleElement()
                .satisfies(r -> assertThat(DeadLetter.from(r.headers()).orElseThrow().origin().topic())
                        .isEqualTo("slack.call-results"));
        assertThat(methods(bridge.newOps())).containsExactly(SlackMethod.CHAT_POST_MESSAGE);
    }

    @Test
    void aCallTheLocalStoreLostIsTakenUpFromItsViewAndAReplaySendsNothing() {
        List<CallEvent> history = List.of(
                call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)),
                call.after(Duration.ofSeconds(5)).joined(BOB),
                call.after(Duration.ofSeconds(9)).left(ALICE));
        history.forEach(event -> {
            bridge.send(event);
            bridge.answerOps();
        });
        CallState before = bridge.storedState("call-1");

        // What a full reset does to the local store; slack.calls and the recovery store keep the view.
        bridge.driver.<String, byte[]>getKeyValueStore(CallTopology.CALL_STORE).delete("call-1");
        history.forEach(bridge::send);

        assertThat(bridge.newOps()).isEmpty();
        CallState after = bridge.storedState("call-1");
        assertThat(after.observed()).isEqualTo(before.observed());
        assertThat(after.desired()).isEqualTo(before.desired());
        assertThat(after.opCount()).isEqualTo(before.opCount());
    }

    @Test
    void aLateEventForAFinishedCallTheSweeperForgotIsStillIgnored() {
        bridge.send(call.started("https://pbx.example/j/1"));
        bridge.answerOps();
        bridge.send(call.after(Duration.ofMinutes(1)).ended());
        bridge.answerOps();
        int tombstones = (int) bridge.views.readKeyValuesToList().stream().filter(kv -> kv.value == null).count();

        bridge.driver.advanceWallClockTime(Duration.ofDays(8));
        assertThat(bridge.storedState("call-1")).isNull();
        assertThat(bridge.views.readKeyValuesToList()).as("the last view stays: no tombstone").isEmpty();

        bridge.send(call.after(Duration.ofMinutes(2)).joined(ALICE));
        assertThat(bridge.newOps()).isEmpty();
        assertThat(tombstones).isZero();
    }

    @Test
    void aRedrivenCallsAddIsSentAgainWithWhoJoinedMeanwhile() {
        bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        CallOp add = bridge.newOps().get(0);
        bridge.results.pipeInput("call-1", new OpResult.Failed(add.opId(), "call-1", SlackMethod.CALLS_ADD, 1,
                "missing_scope", false));
        bridge.send(call.after(Duration.ofSeconds(5)).joined(BOB));
        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.storedState("call-1").phase()).isEqualTo(CallState.Phase.FAILED);

        bridge.results.pipeInput("call-1", OpResult.Redriven.of(add, "slack.call-ops.dlt/0/7"));

        assertThat(bridge.newOps()).singleElement().isInstanceOfSatisfying(CallOp.AddCall.class, again -> {
            assertThat(again.opId()).isNotEqualTo(add.opId());
            assertThat(again.users()).containsExactlyInAnyOrder(ALICE, BOB);
        });
        assertThat(bridge.storedState("call-1").lastFailure()).isNull();
    }

    @Test
    void anInspectionShowingDriftIsRepairedThroughTheUsualOperations() {
        bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        bridge.answerOps();
        CallState synced = bridge.storedState("call-1");
        Participant stranger = Participant.slackUser("U0STRANGER");

        // Someone removed Alice in Slack and added a stranger; the bridge still believes it is in sync.
        bridge.results.pipeInput("call-1", new OpResult.Inspected("call-1:inspect:1", "call-1",
                SlackMethod.CALLS_INFO, 1, synced.observed().slackCallId(), false, List.of(stranger), "Standup",
                "https://pbx.example/j/1", null, List.of("C0CALLS")));
        CallOp first = bridge.newOps().get(0);
        assertThat(first).isInstanceOfSatisfying(CallOp.AddParticipants.class,
                op -> assertThat(op.users()).containsExactly(ALICE));
        bridge.results.pipeInput("call-1", bridge.success(first));

        assertThat(bridge.newOps()).singleElement().isInstanceOfSatisfying(CallOp.RemoveParticipants.class,
                op -> assertThat(op.users()).containsExactly(stranger));
    }

    @Test
    void anInspectionIsRefusedWhileAnOperationIsInFlight() {
        bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        bridge.results.pipeInput("call-1", bridge.success(bridge.newOps().get(0)));
        assertThat(bridge.newOps()).singleElement().isInstanceOf(CallOp.PostCallBlock.class);
        CallState busy = bridge.storedState("call-1");
        assertThat(busy.inFlight()).isNotNull();

        bridge.results.pipeInput("call-1", new OpResult.Inspected("call-1:inspect:1", "call-1",
                SlackMethod.CALLS_INFO, 1, busy.observed().slackCallId(), true, List.of(), null, null, null, List.of()));

        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.storedState("call-1")).isEqualTo(busy);
    }

    @Test
    void aViewOlderThanTheRecoveryRetentionIsNotTakenUp() {
        bridge.send(call.started("https://pbx.example/j/1", "Standup", null, List.of(ALICE)));
        bridge.answerOps();
        bridge.driver.<String, byte[]>getKeyValueStore(CallTopology.CALL_STORE).delete("call-1");

        bridge.driver.advanceWallClockTime(BridgeConfig.defaults().recoveryRetention().plusDays(1));
        bridge.send(call.after(Duration.ofSeconds(5)).joined(BOB));

        // Taken as a new call: its join is held until a call.started, nothing goes to Slack.
        assertThat(bridge.newOps()).isEmpty();
        assertThat(bridge.storedState("call-1").phase()).isEqualTo(CallState.Phase.WAITING_FOR_START);
    }

    @Test
    void anUnreadableViewIsSkippedAndTheBridgeGoesOn() {
        bridge.driver.createInputTopic(bridge.config.topics().calls().name(),
                        new org.apache.kafka.common.serialization.StringSerializer(),
                        new org.apache.kafka.common.serialization.StringSerializer())
                .pipeInput("call-1", "{\"not\": \"a view\"");

        bridge.send(call.started("https://pbx.example/j/1"));

        assertThat(methods(bridge.newOps())).containsExactly(SlackMethod.CALLS_ADD);
    }
}
