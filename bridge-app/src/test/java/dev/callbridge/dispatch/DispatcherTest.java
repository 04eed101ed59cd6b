package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackCallInfo;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.topics.Topics;
import dev.callbridge.topics.WorkspacePartitioner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's loop, workers and hand-over against mock Kafka clients and a scripted Slack: what
 * is sent, what is committed, and when.
 */
class DispatcherTest {

    private static final TopicPartition OPS = new TopicPartition(Topics.CALL_OPS, 0);
    private static final JsonSerde<CallOp> OPS_SERDE = new JsonSerde<>(CallOp.class);
    private static final JsonSerde<OpResult> RESULTS = new JsonSerde<>(OpResult.class);
    private static final Budget PLENTY = new Budget(6000, 10);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<CallOp> sent = Collections.synchronizedList(new ArrayList<>());
    private Producer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private Function<CallOp, SlackAnswer> slack = op -> new SlackAnswer.Ok("R1", null, null);
    private Dispatcher dispatcher;
    private Duration requestTimeout = Duration.ofSeconds(10);

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.stop();
        }
    }

    @Test
    void aCallsAddIsNamedAsSendingInACommitBeforeItGoesAndItsAnswerIsCommittedAtOnce() {
        CallOp add = add("c1", 0);
        List<String> committedBeforeSend = new ArrayList<>();
        slack = op -> {
            committedBeforeSend.add(lastCommitted().metadata());
            return new SlackAnswer.Ok("R1", null, null);
        };
        start(Duration.ofSeconds(30), PLENTY, null, record(0, add, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !resultsOf(add).isEmpty());
        assertThat(committedBeforeSend).containsExactly("v2;f=;s=0");
        assertThat(lastCommitted()).as("committed long before the 30 s interval").isEqualTo(new OffsetAndMetadata(1, ""));
    }

    @Test
    void anOperationAnsweredBeforeAnAbortedTransactionIsNotSentAgain() {
        FailingProducer failing = new FailingProducer(1, new KafkaException("the transaction was aborted by the broker"));
        failing.onlyWithRecords = true;
        producer = failing;
        CallOp end = end("c1", 0);
        start(Duration.ofMillis(20), PLENTY, null, record(0, end, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(10)).until(() -> !resultsOf(end).isEmpty());
        assertThat(failing.commitFailures).as("the commit of the answer failed once").isZero();
        sleep(300);
        assertThat(sent).containsExactly(end);
        assertThat(resultsOf(end)).hasSize(1);
        assertThat(lastCommitted().offset()).isEqualTo(1);
    }

    @Test
    void whileCommitsFailEveryPartitionIsPausedAndThePollingGoesOn() {
        FailingProducer failing = new FailingProducer(Integer.MAX_VALUE, new KafkaException("the broker is away"));
        failing.onlyWithRecords = true;
        producer = failing;
        CallOp end = end("c1", 0);
        java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
        start(Duration.ofMillis(20), PLENTY, null, record(0, end, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !sent.isEmpty() && consumer.paused().contains(OPS));
        consumer.schedulePollTask(polls::incrementAndGet);
        await("the group keeps hearing from it").atMost(Duration.ofSeconds(5)).until(() -> polls.get() == 1);
        assertThat(resultsOf(end)).isEmpty();

        failing.commitFailures = 0;
        await().atMost(Duration.ofSeconds(10)).until(() -> resultsOf(end).size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !consumer.paused().contains(OPS));
        assertThat(sent).as("its answer was kept, not asked for again").containsExactly(end);
    }

    @Test
    void anUnreadableDispatchHeaderIsIgnoredAndTheLoopGoesOn() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DispatchHeaders.RELEASE_AT, "tomorrow".getBytes(StandardCharsets.UTF_8));
        headers.add(DispatchHeaders.ATTEMPT, "two".getBytes(StandardCharsets.UTF_8));
        CallOp end = end("c1", 0);
        CallOp next = end("c2", 1);
        start(Duration.ofMillis(20), PLENTY, null, record(0, end, headers), record(1, next, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        assertThat(dispatcher.hasFailed()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> lastCommitted() != null && lastCommitted().offset() == 2);
    }

    @Test
    void aSlotReservedByAnotherProcessIsNotSpentOnTopOfThisOnesBudget() {
        Instant now = Instant.now();
        List<ConsumerRecord<byte[], byte[]>> parked = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(DispatchHeaders.DUE_AT, Long.toString(now.minusSeconds(1).toEpochMilli()).getBytes(StandardCharsets.UTF_8));
            headers.add(DispatchHeaders.RESERVED, "a-process-that-crashed".getBytes(StandardCharsets.UTF_8));
            parked.add(record(n, join("c" + n, n), headers));
        }
        // 15 a minute, the buckets empty at the start: the first goes in 4 s, the second's slot is 8 s away.
        start(Duration.ofMillis(20), new Budget(15, 1), null, parked.toArray(ConsumerRecord[]::new));

        await().atMost(Duration.ofSeconds(10)).until(() -> lastCommitted() != null && lastCommitted().offset() == 2);
        assertThat(sent).as("the second waits for its own slot, not the other process's").hasSize(1);
        assertThat(history()).anySatisfy(record -> assertThat(record.topic()).startsWith(Topics.CALL_OPS + ".retry"));
    }

    @Test
    void aPartitionHandedOverWaitsForTheRequestOutAndSendsNothingElse() throws Exception {
        CountDownLatch firstOut = new CountDownLatch(1);
        slack = op -> {
            firstOut.countDown();
            sleep(800);
            return new SlackAnswer.Ok(null, null, null);
        };
        // 30 a minute, the buckets empty at the start: the first goes in 2 s, the second waits 4 s on the timer,
        // within the 5 s inline wait.
        CallOp first = join("c1", 0);
        CallOp second = join("c2", 1);
        start(Duration.ofMillis(20), new Budget(30, 1), null, record(0, first, new RecordHeaders()),
                record(1, second, new RecordHeaders()));
        assertThat(firstOut.await(5, TimeUnit.SECONDS)).isTrue();

        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));

        // The two are of different calls, so either may take the first slot: the workers race for it.
        CallOp out = sent.get(0);
        long heldOffset = out.equals(first) ? 1 : 0;
        await().atMost(Duration.ofSeconds(5)).until(() -> !resultsOf(out).isEmpty());
        assertThat(lastCommitted().offset()).as("the answer out was committed, the operation held back was not")
                .isEqualTo(heldOffset);
        assertThat(resultsOf(out.equals(first) ? second : first)).isEmpty();
        sleep(4_500);
        assertThat(sent).as("the operation waiting for its slot is the next owner's").containsExactly(out);
    }

    @Test
    void anAnswerThatComesAfterItsPartitionWasHandedOverAndTakenBackIsNotTakenForTheNewAttempts() throws Exception {
        CountDownLatch firstOut = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        slack = op -> {
            if (calls.incrementAndGet() == 1) {
                firstOut.countDown();
                sleep(4_000); // longer than the hand-over waits (1 s request timeout + 2 s)
                return new SlackAnswer.RateLimited(Duration.ofSeconds(1));
            }
            sleep(2_000); // still out when the first answer comes back
            return new SlackAnswer.Ok(null, null, null);
        };
        CallOp end = end("c1", 0);
        requestTimeout = Duration.ofSeconds(1);
        start(Duration.ofMillis(20), PLENTY, null, record(0, end, new RecordHeaders()));
        assertThat(firstOut.await(5, TimeUnit.SECONDS)).isTrue();

        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(OPS));
            consumer.addRecord(record(0, end, new RecordHeaders()));
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> !resultsOf(end).isEmpty());
        sleep(1_000);
        assertThat(resultsOf(end)).as("only the new attempt's answer").singleElement().isInstanceOf(OpResult.Succeeded.class);
        assertThat(history()).noneSatisfy(record -> assertThat(record.topic()).startsWith(Topics.CALL_OPS + ".retry"));
    }

    @Test
    void aCallBlockThatMayBeUpIsCheckedAndNotPostedAgainWhenSlackShowsIt() {
        CallOp post = new CallOp.PostCallBlock("c1:k:2:chat.postMessage", "c1", "T1", "R1", "C1", "Call");
        slack = op -> op instanceof CallOp.InspectCall
                ? new SlackAnswer.Info(new SlackCallInfo.Found("R1", "c1", false, List.of(), "Call", null, null, List.of("C1")))
                : new SlackAnswer.Ok(null, "1.2", "C1");
        start(Duration.ofMillis(20), PLENTY, new OffsetAndMetadata(0, "v2;f=;s=0"), record(0, post, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !resultsOf(post).isEmpty());
        assertThat(sent).singleElement().isInstanceOf(CallOp.InspectCall.class);
        assertThat(resultsOf(post)).singleElement().isInstanceOfSatisfying(OpResult.Succeeded.class,
                ok -> assertThat(ok.note()).isEqualTo(Decider.ALREADY_POSTED));
    }

    @Test
    void aCallBlockNotShownYetIsPostedAfterTheCheck() {
        CallOp post = new CallOp.PostCallBlock("c1:k:2:chat.postMessage", "c1", "T1", "R1", "C1", "Call");
        slack = op -> op instanceof CallOp.InspectCall
                ? new SlackAnswer.Info(new SlackCallInfo.Found("R1", "c1", false, List.of(), "Call", null, null, List.of()))
                : new SlackAnswer.Ok(null, "1.2", "C1");
        start(Duration.ofMillis(20), PLENTY, new OffsetAndMetadata(0, "v2;f=;s=0"), record(0, post, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !resultsOf(post).isEmpty());
        assertThat(sent).hasSize(2).last().isEqualTo(post);
    }

    @Test
    void aCallsAddThatMayHaveReachedSlackIsCountedWhenSentAgain() {
        CallOp add = add("c1", 0);
        CallOp fresh = add("c2", 1);
        start(Duration.ofMillis(20), PLENTY, new OffsetAndMetadata(0, "v2;f=;s=0"), record(0, add, new RecordHeaders()),
                record(1, fresh, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !resultsOf(add).isEmpty() && !resultsOf(fresh).isEmpty());
        assertThat(registry.counter("bridge.calls.add.uncertain").count()).isEqualTo(1.0);
    }

    @Test
    void aPartitionGivenToThisInstanceStartsWithEmptyBucketsAndSoDoesOneHandedOverAndTakenBack() {
        List<Instant> sentAt = Collections.synchronizedList(new ArrayList<>());
        slack = op -> {
            sentAt.add(Instant.now());
            return new SlackAnswer.Ok(null, null, null);
        };
        // One a second with a burst of ten: full buckets would send all at once.
        Instant assigned = Instant.now();
        start(Duration.ofMillis(20), new Budget(60, 10), null, record(0, join("c1", 0), new RecordHeaders()),
                record(1, join("c2", 1), new RecordHeaders()), record(2, join("c3", 2), new RecordHeaders()));

        await().atMost(Duration.ofSeconds(10)).until(() -> sentAt.size() == 3);
        assertThat(Duration.between(assigned, sentAt.get(0))).as("the first waits one interval").isGreaterThan(
                Duration.ofMillis(900));
        assertThat(Duration.between(sentAt.get(0), sentAt.get(2))).as("the rest at the pace, no burst")
                .isGreaterThan(Duration.ofMillis(1_800));

        // Taken away and given back after a quiet spell that would have refilled the old buckets.
        sleep(2_000);
        Instant[] reassigned = new Instant[1];
        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
        consumer.schedulePollTask(() -> {
            reassigned[0] = Instant.now();
            consumer.rebalance(List.of(OPS));
            consumer.addRecord(record(3, join("c4", 3), new RecordHeaders()));
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> sentAt.size() == 4);
        assertThat(Duration.between(reassigned[0], sentAt.get(3))).as("empty again when given back")
                .isGreaterThan(Duration.ofMillis(900));
    }

    @Test
    void anOperationOnAnotherWorkspacesPartitionIsMovedToItsOwnUnsentAndPacedThere() {
        TopicPartition retry = new TopicPartition(Topics.CALL_OPS + ".retry-5s", 0);
        for (String topic : List.of(Topics.CALL_OPS, retry.topic(), Topics.CALL_OPS + ".retry-30s",
                Topics.CALL_OPS + ".retry-5m")) {
            consumer.updatePartitions(topic, List.of(partition(topic, 0), partition(topic, 1), partition(topic, 2)));
        }
        WorkspacePartitioner workspaces = new WorkspacePartitioner(null);
        CallOp home = new CallOp.EndCall("c1:k:0:calls.end", "c1", onPartition(workspaces, 0), "R1", 60L, "hangup");
        CallOp away = new CallOp.EndCall("c2:k:0:calls.end", "c2", onPartition(workspaces, 2), "R2", 60L, "hangup");
        RecordHeaders uncertain = new RecordHeaders();
        uncertain.add(DispatchHeaders.UNCERTAIN, "true".getBytes(StandardCharsets.UTF_8));
        start(Duration.ofMillis(20), PLENTY, null, record(0, away, uncertain), record(1, home, new RecordHeaders()));

        await().atMost(Duration.ofSeconds(5)).until(() -> lastCommitted() != null && lastCommitted().offset() == 2);
        assertThat(sent).as("only the operation at home was sent").containsExactly(home);
        ProducerRecord<byte[], byte[]> moved = history().stream()
                .filter(record -> record.topic().startsWith(Topics.CALL_OPS + ".retry")).findFirst().orElseThrow();
        assertThat(moved.topic()).isEqualTo(retry.topic());
        assertThat(moved.partition()).as("its workspace's partition").isEqualTo(2);
        assertThat(OPS_SERDE.fromBytes(moved.value())).isEqualTo(away);
        assertThat(moved.headers().lastHeader(DispatchHeaders.UNCERTAIN)).as("still uncertain").isNotNull();
        assertThat(Long.parseLong(new String(moved.headers().lastHeader(DispatchHeaders.RELEASE_AT).value(),
                StandardCharsets.UTF_8))).as("handed back at once").isLessThanOrEqualTo(System.currentTimeMillis());
        assertThat(resultsOf(away)).as("no word to the reconciler: nothing happened to it").isEmpty();
        assertThat(registry.counter("bridge.operations.moved", "topic", Topics.CALL_OPS).count()).isEqualTo(1.0);
    }

    @Test
    void theProducerAsksAgainSoonWhenTheBrokerIsStillFinishingATransactionUnlessTheOperatorSaysOtherwise() {
        assertThat(Dispatcher.producerProperties(BridgeConfig.defaults().dispatcher()))
                .containsEntry(org.apache.kafka.clients.producer.ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10)
                .containsEntry(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        assertThat(Dispatcher.producerProperties(
                BridgeConfig.defaults(Map.of("kafka.producer.retry.backoff.ms", "250")).dispatcher()))
                .containsEntry(org.apache.kafka.clients.producer.ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "250");
    }

    // ---- the rig

    private void start(Duration commitInterval, Budget budget, OffsetAndMetadata committed,
            ConsumerRecord<byte[], byte[]>... records) {
        DispatcherConfig config = new DispatcherConfig("mock:9092", "test-group", "test-tx", BridgeConfig.defaults().topics(), Map.of(),
                budget, new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(1), 5, 10), Duration.ofSeconds(5), 4,
                commitInterval, requestTimeout, Map.of(), Map.of(), null);
        SlackClient client = op -> {
            sent.add(op);
            return slack.apply(op);
        };
        dispatcher = new Dispatcher(config, client, Clock.systemUTC(), new BridgeMetrics(registry), new Dispatcher.Clients() {
            @Override
            public Consumer<byte[], byte[]> consumer(Map<String, Object> properties) {
                return consumer;
            }

            @Override
            public Producer<byte[], byte[]> producer(Map<String, Object> properties) {
                return producer;
            }
        });
        consumer.schedulePollTask(() -> {
            consumer.updateBeginningOffsets(Map.of(OPS, 0L));
            if (committed != null) {
                consumer.commitSync(Map.of(OPS, committed));
            }
            consumer.rebalance(List.of(OPS));
            for (ConsumerRecord<byte[], byte[]> record : records) {
                consumer.addRecord(record);
            }
        });
        dispatcher.start();
    }

    private static org.apache.kafka.common.PartitionInfo partition(String topic, int partition) {
        return new org.apache.kafka.common.PartitionInfo(topic, partition, null, null, null);
    }

    /** A team whose operations lie on {@code partition} of three. */
    private static String onPartition(WorkspacePartitioner workspaces, int partition) {
        return java.util.stream.IntStream.range(0, 100).mapToObj(n -> "T" + n)
                .filter(team -> workspaces.partition(team, 3) == partition).findFirst().orElseThrow();
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, CallOp op, RecordHeaders headers) {
        return new ConsumerRecord<>(OPS.topic(), OPS.partition(), offset, System.currentTimeMillis(),
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0,
                op.externalUniqueId().getBytes(StandardCharsets.UTF_8), OPS_SERDE.toBytes(op), headers, java.util.Optional.empty());
    }

    private List<ProducerRecord<byte[], byte[]>> history() {
        return ((MockProducer<byte[], byte[]>) producer).history();
    }

    private List<OpResult> resultsOf(CallOp op) {
        return history().stream().filter(record -> record.topic().equals(Topics.CALL_RESULTS))
                .map(record -> RESULTS.fromBytes(record.value())).filter(result -> result.opId().equals(op.opId())).toList();
    }

    private OffsetAndMetadata lastCommitted() {
        List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> commits =
                ((MockProducer<byte[], byte[]>) producer).consumerGroupOffsetsHistory();
        for (int n = commits.size() - 1; n >= 0; n--) {
            for (Map<TopicPartition, OffsetAndMetadata> offsets : commits.get(n).values()) {
                if (offsets.containsKey(OPS)) {
                    return offsets.get(OPS);
                }
            }
        }
        return null;
    }

    private static CallOp add(String call, int n) {
        return new CallOp.AddCall(call + ":k:" + n + ":calls.add", call, "T1", "https://j/" + call, null, null, "Title",
                null, 1_700_000_000L, List.of());
    }

    private static CallOp end(String call, int n) {
        return new CallOp.EndCall(call + ":k:" + n + ":calls.end", call, "T1", "R1", 60L, "hangup");
    }

    private static CallOp join(String call, int n) {
        return new CallOp.AddParticipants(call + ":k:" + n + ":calls.participants.add", call, "T1", "R1",
                List.of(Participant.slackUser("U" + n)));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
