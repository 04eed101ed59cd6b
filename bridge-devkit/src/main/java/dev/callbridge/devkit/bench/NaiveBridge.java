package dev.callbridge.devkit.bench;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a user would write instead of the bridge: a plain Kafka consumer that sends one Slack request
 * per event it reads ({@code calls.add} and then the call block for {@code call.started},
 * {@code calls.participants.add} or {@code .remove} for a join or a leave, {@code calls.update},
 * {@code calls.end}), remembering each call's Slack id in memory and nothing else: no deduplication,
 * no coalescing, no retries, no transactions. It sends through the bridge's own Slack client, and
 * with the dispatcher's concurrency, so that neither decides the comparison: each poll's records go
 * to {@code lanes} threads by call, so a call's requests keep their order, and the poll's offsets are
 * committed once all its requests were answered.
 */
final class NaiveBridge implements AutoCloseable {

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final KafkaConsumer<String, CallEvent> consumer;
    private final String topic;
    private final SlackClient slack;
    private final String defaultChannel;
    private final String defaultCreatedBy;
    private final List<ExecutorService> lanes = new ArrayList<>();
    /** Each call's Slack id and what its later requests need, by external_unique_id. */
    private final Map<String, SlackCall> calls = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong skipped = new AtomicLong();
    private Thread loop;
    private volatile RuntimeException failure;

    private record SlackCall(String teamId, String slackCallId, long startedAt) {}

    NaiveBridge(String bootstrapServers, String group, String topic, SlackClient slack, int lanes,
            String defaultChannel, String defaultCreatedBy) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new CallEventSerde().deserializer());
        this.topic = topic;
        this.slack = slack;
        this.defaultChannel = defaultChannel;
        this.defaultCreatedBy = defaultCreatedBy;
        for (int lane = 0; lane < lanes; lane++) {
            this.lanes.add(Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "naive-bridge-lane");
                thread.setDaemon(true);
                return thread;
            }));
        }
    }

    NaiveBridge start() {
        running.set(true);
        loop = new Thread(this::run, "naive-bridge");
        loop.start();
        return this;
    }

    /** Events it read for a call whose {@code call.started} it had not seen: none in the benchmark's traffic. */
    long skipped() {
        return skipped.get();
    }

    /** @throws IllegalStateException when the loop stopped on an error */
    void assertRunning() {
        if (failure != null) {
            throw new IllegalStateException("the naive bridge failed", failure);
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running.get()) {
                ConsumerRecords<String, CallEvent> polled = consumer.poll(POLL_TIMEOUT);
                if (polled.isEmpty()) {
                    continue;
                }
                List<List<CallEvent>> byLane = new ArrayList<>();
                lanes.forEach(lane -> byLane.add(new ArrayList<>()));
                for (ConsumerRecord<String, CallEvent> record : polled) {
                    byLane.get(Math.floorMod(record.key().hashCode(), lanes.size())).add(record.value());
                }
                List<Future<?>> sent = new ArrayList<>();
                for (int lane = 0; lane < lanes.size(); lane++) {
                    List<CallEvent> events = byLane.get(lane);
                    if (!events.isEmpty()) {
                        sent.add(lanes.get(lane).submit(() -> events.forEach(this::send)));
                    }
                }
                for (Future<?> lane : sent) {
                    lane.get();
                }
                consumer.commitSync();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            failure = new IllegalStateException(e.getCause());
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** One event, one request (two for a start: the call and its block); answers other than ok are let go. */
    private void send(CallEvent event) {
        String id = event.subject();
        String opId = "naive:" + event.id();
        if (event.data() instanceof CallEventData.Started started) {
            SlackAnswer answer = slack.send(new CallOp.AddCall(opId, id, started.teamId(), started.joinUrl(),
                    started.desktopAppJoinUrl(), started.externalDisplayId(), started.title(),
                    started.createdBy() == null ? defaultCreatedBy : started.createdBy(),
                    started.dateStart() == null ? event.time().getEpochSecond() : started.dateStart(),
                    started.participants()));
            if (answer instanceof SlackAnswer.Ok ok && ok.slackCallId() != null) {
                calls.put(id, new SlackCall(started.teamId(), ok.slackCallId(), event.time().getEpochSecond()));
                slack.send(new CallOp.PostCallBlock(opId + ":block", id, started.teamId(), ok.slackCallId(),
                        started.channel() == null ? defaultChannel : started.channel(),
                        started.title() == null ? "A call" : started.title()));
            }
            return;
        }
        SlackCall call = calls.get(id);
        if (call == null) {
            skipped.incrementAndGet();
            return;
        }
        CallOp op;
        if (event.data() instanceof CallEventData.Joined joined) {
            op = new CallOp.AddParticipants(opId, id, call.teamId(), call.slackCallId(), List.of(joined.participant()));
        } else if (event.data() instanceof CallEventData.Left left) {
            op = new CallOp.RemoveParticipants(opId, id, call.teamId(), call.slackCallId(), List.of(left.participant()));
        } else if (event.data() instanceof CallEventData.Updated updated) {
            op = new CallOp.UpdateCall(opId, id, call.teamId(), call.slackCallId(), updated.title(), updated.joinUrl(),
                    updated.desktopAppJoinUrl());
        } else {
            CallEventData.Ended ended = (CallEventData.Ended) event.data();
            long duration = ended.duration() != null ? ended.duration()
                    : Math.max(0, event.time().getEpochSecond() - call.startedAt());
            op = new CallOp.EndCall(opId, id, call.teamId(), call.slackCallId(), duration, ended.disconnectReason());
        }
        slack.send(op);
    }

    @Override
    public void close() {
        running.set(false);
        if (loop != null) {
            try {
                loop.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lanes.forEach(ExecutorService::shutdownNow);
        consumer.close();
    }
}
