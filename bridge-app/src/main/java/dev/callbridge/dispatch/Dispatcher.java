package dev.callbridge.dispatch;

import dev.callbridge.config.RetryTier;
import dev.callbridge.config.Topics;
import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.deadletter.DeadLetterHeaders;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.slack.SlackAnswer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.slack.SlackErrorCodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the reconciler's operations to Slack. A consumer group over {@code slack.call-ops} and its
 * retry topics; up to {@code dispatch.concurrency} operations are in flight at once, paced per
 * (workspace, method) by the {@link RateLimiter}. The loop keeps reading while requests are out, and
 * commits whatever has finished — results, operations parked for a retry, dead letters — in one
 * Kafka transaction with the offsets it lets through, so a slow request holds back no other answer.
 * The {@link OffsetLedger} names the operations finished above a still-open one in the committed
 * offset, so a restart sends only what was in flight. A retry partition whose head is not yet due is
 * paused until it is, so the poll loop never sleeps.
 */
public final class Dispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long a poll waits while attempts are in flight, so their answers are committed promptly. */
    private static final Duration BUSY_POLL_TIMEOUT = Duration.ofMillis(5);
    private static final int WAITING_PER_WORKER = 64;

    private final DispatcherConfig config;
    private final Topics topics;
    private final SlackClient slack;
    private final Clock clock;
    private final RateLimiter limiter;
    private final Dispositions dispositions;
    private final BridgeMetrics metrics;
    private final JsonSerde<CallOp> ops = new JsonSerde<>(CallOp.class);
    private final JsonSerde<OpResult> results = new JsonSerde<>(OpResult.class);
    private final Map<TopicPartition, Instant> pausedUntil = new HashMap<>();
    private final Set<String> retryTopics;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    /** Operations waiting in {@link #timer} for their slot: in flight, but holding no worker. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final OffsetLedger ledger = new OffsetLedger();
    private final LinkedBlockingDeque<Finished> finished = new LinkedBlockingDeque<>();
    /** Records of finished attempts not yet committed. */
    private final List<ProducerRecord<String, byte[]>> pending = new ArrayList<>();
    /** When the last transaction committed; the next waits {@code dispatch.commit.interval} after it. */
    private long lastCommitNanos = System.nanoTime() - Duration.ofDays(1).toNanos();
    private volatile boolean assigned;
    private volatile Throwable failure;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private Thread loop;
    private List<KafkaClientMetrics> clientMetrics = List.of();

    public Dispatcher(DispatcherConfig config, SlackClient slack, Clock clock) {
        this(config, slack, clock, BridgeMetrics.discarding());
    }

    public Dispatcher(DispatcherConfig config, SlackClient slack, Clock clock, BridgeMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.topics = config.topics();
        this.slack = slack;
        this.clock = clock;
        this.limiter = new RateLimiter(config.budgets(), config.defaultBudget());
        this.retryTopics = config.topics().callOpsRetries().stream().map(RetryTier::topic)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.dispositions = new Dispositions(config.retryPolicy(), () -> ThreadLocalRandom.current().nextDouble());
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.concurrency(), runnable -> {
            Thread thread = new Thread(runnable, "dispatch-worker-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dispatch-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    public synchronized void start() {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("the dispatcher is already running");
        }
        consumer = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
        clientMetrics = List.of(new KafkaClientMetrics(consumer), new KafkaClientMetrics(producer));
        clientMetrics.forEach(binder -> binder.bindTo(metrics.registry()));
        loop = new Thread(this::run, "dispatcher");
        loop.start();
    }

    /** Whether the dispatcher holds partitions of its topics: part of the bridge's readiness. */
    public boolean isAssigned() {
        return assigned && running.get();
    }

    /** Whether the loop stopped on a failure it cannot recover from (such as being fenced). */
    public boolean hasFailed() {
        return failure != null;
    }

    public synchronized void stop() {
        if (!running.compareAndSet(true, false)) {
            return;
        }
        consumer.wakeup();
        try {
            loop.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        workers.shutdownNow();
        clientMetrics.forEach(KafkaClientMetrics::close);
    }

    @Override
    public void close() {
        stop();
    }

    private List<String> sourceTopics() {
        List<String> sources = new ArrayList<>();
        sources.add(topics.callOps().name());
        topics.callOpsRetries().forEach(tier -> sources.add(tier.topic()));
        return sources;
    }

    private void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(sourceTopics(), new Rebalance());
            try {
                while (running.get()) {
                    resumeDuePartitions();
                    if (ledger.inFlight() - waiting.get() < config.concurrency() && waiting.get() < maxWaiting()) {
                        // Short polls only while answers are on their way; timer waits come back on their own.
                        boolean answersDue = ledger.inFlight() > waiting.get() || !pending.isEmpty();
                        take(consumer.poll(answersDue ? BUSY_POLL_TIMEOUT : POLL_TIMEOUT));
                    } else {
                        awaitFinished(POLL_TIMEOUT);
                    }
                    collectFinished();
                    if (System.nanoTime() - lastCommitNanos >= config.commitInterval().toNanos()) {
                        commit();
                    }
                    metrics.retryBacklog(retryBacklog());
                }
            } catch (WakeupException e) {
                if (running.get()) {
                    throw e;
                }
            }
            // Stopping: the answers of requests already sent are committed, so a restart does not repeat them.
            finishInFlight();
        } catch (WakeupException e) {
            failure = e;
            LOG.error("Dispatcher woken up unexpectedly; stopping", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("Dispatcher stopped on an unrecoverable error", e);
        } finally {
            assigned = false;
            running.set(false);
            closeQuietly();
        }
    }

    /** Operations waiting for a slot are cheap, but not free: past this many, reading stops. */
    private int maxWaiting() {
        return WAITING_PER_WORKER * config.concurrency();
    }

    /** Starts an attempt for every due operation polled; a retry partition whose head is not due is paused. */
    private void take(ConsumerRecords<String, byte[]> records) {
        Instant now = clock.instant();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (ledger.finishedBefore(partition, record.offset())) {
                    continue;
                }
                Instant release = DispatchHeaders.releaseAt(record.headers());
                if (release != null && release.isAfter(now)) {
                    // Not due: read it again once the partition resumes; later records wait behind it.
                    consumer.pause(List.of(partition));
                    consumer.seek(partition, record.offset());
                    pausedUntil.put(partition, release);
                    break;
                }
                ledger.start(partition, record.offset());
                Work work;
                try {
                    CallOp op = ops.fromBytes(record.value());
                    if (op == null) {
                        throw new IllegalArgumentException("empty operation record");
                    }
                    work = new Work(record, op, DispatchHeaders.attempts(record.headers()),
                            DispatchHeaders.reserved(record.headers()), DispatchHeaders.dueAt(record.headers()));
                } catch (RuntimeException e) {
                    LOG.error("Unreadable operation at {}-{}@{}; dead-lettered", record.topic(), record.partition(),
                            record.offset());
                    metrics.deadLetter(topics.callOpsDeadLetters().name(), "unparseable");
                    finished.add(new Finished(partition, record.offset(),
                            List.of(deadLetter(record, "unparseable", e.getMessage(), null, 0)), null));
                    continue;
                }
                workers.execute(() -> runAttempt(partition, work));
            }
        }
    }

    /**
     * Takes an operation as far as it can go now, on a worker. One that must wait a moment for its
     * slot or its backoff's end is scheduled to come back then, holding no worker meanwhile.
     */
    private void runAttempt(TopicPartition partition, Work work) {
        long offset = work.record().offset();
        try {
            Turn turn = turn(work);
            if (turn.later() != null) {
                waiting.incrementAndGet();
                long delay = Math.max(0, Duration.between(clock.instant(), turn.later().due()).toNanos());
                timer.schedule(() -> {
                    waiting.decrementAndGet();
                    workers.execute(() -> runAttempt(partition, turn.later()));
                }, delay, TimeUnit.NANOSECONDS);
                return;
            }
            finished.add(new Finished(partition, offset, turn.records(), null));
        } catch (RuntimeException e) {
            finished.add(new Finished(partition, offset, List.of(), e));
        }
    }

    private void awaitFinished(Duration timeout) throws InterruptedException {
        Finished first = finished.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
            finished.addFirst(first);
        }
    }

    /** Moves finished attempts' records into the next transaction. */
    private void collectFinished() {
        Finished done;
        while ((done = finished.poll()) != null) {
            settle(done, List.of());
        }
    }

    /** One finished attempt: its records join the next transaction, unless its partition is {@code dropped}. */
    private void settle(Finished done, Collection<TopicPartition> dropped) {
        if (done.failure() != null) {
            throw new IllegalStateException("an attempt failed unexpectedly", done.failure());
        }
        if (ledger.finish(done.partition(), done.offset()) && !dropped.contains(done.partition())) {
            pending.addAll(done.records());
        }
    }

    /** Lets the attempts in flight finish, for at most as long as one attempt may take. */
    private void awaitInFlight(Collection<TopicPartition> dropped) {
        long deadline = System.nanoTime() + config.requestTimeout().plus(config.maxInlineWait()).plusSeconds(1).toNanos();
        while (ledger.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Finished done = finished.poll(50, TimeUnit.MILLISECONDS);
                if (done != null) {
                    settle(done, dropped);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Lets the attempts in flight finish and commits what they produced. */
    private void finishInFlight() {
        awaitInFlight(List.of());
        commit();
    }

    /**
     * Produces the finished attempts' records in one transaction with the offsets they let through:
     * requests still in flight never hold back the answers of others.
     */
    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.toCommit();
        if (pending.isEmpty() && offsets.isEmpty()) {
            return;
        }
        try {
            producer.beginTransaction();
            pending.forEach(producer::send);
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
            producer.commitTransaction();
            lastCommitNanos = System.nanoTime();
            ledger.committed(offsets);
            pending.clear();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("Transaction failed; aborting and reading the uncommitted operations again", e);
            producer.abortTransaction();
            pending.clear();
            rewind();
        }
    }

    /** After an aborted transaction: every operation since the last commit is read and sent again. */
    private void rewind() {
        awaitInFlight(ledger.partitions());
        pending.clear();
        finished.clear();
        restore(ledger.partitions(), true);
    }

    /** Reads where each partition was committed, and which operations above that were already finished. */
    private void restore(Collection<TopicPartition> partitions, boolean seek) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            ledger.restore(partition, offset);
            if (!seek) {
                continue;
            }
            if (offset == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
    }

    /** One operation's turn: let it expire, park it, have it come back at its slot, or send it. */
    private Turn turn(Work work) {
        CallOp op = work.op();
        Instant now = clock.instant();
        if (isExpired(work, now)) {
            LOG.warn("Did not send {} for call {}: nothing was reported of it for {}; the reconciler plans anew",
                    op.method().apiName(), op.externalUniqueId(), Duration.between(work.silence().lastWord(), now));
            metrics.expired(op.method());
            return Turn.done(result(new OpResult.Expired(op.opId(), op.externalUniqueId(), op.method(),
                    work.attempts().attempt())));
        }
        if (work.due() != null && Duration.between(now, work.due()).compareTo(config.maxInlineWait()) > 0) {
            // Handed back by a tier before its time is up: the rest of the wait goes to a shorter tier.
            return waitParked(work, work.due(), work.reserved());
        }
        if (work.due() != null && work.due().isAfter(now)) {
            // Due a moment from now (a reserved slot, or a backoff's end): come back then rather than go early.
            return Turn.later(work);
        }
        if (!work.reserved() || !limiter.isOpen(op.teamId(), op.method(), now)) {
            Instant slot = limiter.reserve(op.teamId(), op.method(), now);
            Duration wait = Duration.between(now, slot);
            if (wait.compareTo(config.maxInlineWait()) > 0) {
                return waitParked(work, slot, true);
            }
            if (!wait.isNegative() && !wait.isZero()) {
                return Turn.later(new Work(work.record(), op, work.attempts(), true, slot));
            }
        }
        return new Turn(send(work), null);
    }

    /**
     * Whether the reconciler may already have given the operation up: nothing was reported of it for
     * nearly its timeout. The margin covers one request and the reconciler's sweep, so an operation sent
     * now is answered before the reconciler plans another in its place.
     */
    private boolean isExpired(Work work, Instant now) {
        DispatchHeaders.Silence silence = work.silence();
        if (silence == null) {
            return false;
        }
        Duration margin = config.requestTimeout().plus(silence.timeout().dividedBy(10));
        return now.isAfter(silence.lastWord().plus(silence.timeout()).minus(margin));
    }

    /**
     * Parks the operation in a retry tier until {@code due}, and tells the reconciler it is waiting once
     * a third of its timeout has passed without word, so a long wait for budget never looks like a lost
     * operation and a short one costs no extra record.
     */
    private Turn waitParked(Work work, Instant due, boolean reserved) {
        CallOp op = work.op();
        Instant now = clock.instant();
        DispatchHeaders.Silence silence = work.silence();
        if (silence != null && Duration.between(silence.lastWord(), now).compareTo(silence.timeout().dividedBy(3)) < 0) {
            return Turn.done(park(work, due, work.attempts(), reserved, false));
        }
        Duration wait = Duration.between(now, due);
        // The bridge's own budget is a rate limit too: reported as one, with the time left to wait.
        OpResult waiting = new OpResult.RateLimited(op.opId(), op.externalUniqueId(), op.method(),
                work.attempts().attempt(), wait.isNegative() ? Duration.ZERO : wait);
        return new Turn(List.of(result(waiting), park(work, due, work.attempts(), reserved, true)), null);
    }

    /** Sends the operation and turns Slack's answer into records. */
    private List<ProducerRecord<String, byte[]>> send(Work work) {
        CallOp op = work.op();
        SlackAnswer answer;
        metrics.requestStarted();
        try {
            answer = slack.send(op);
        } finally {
            metrics.requestFinished();
        }
        Instant answered = clock.instant();
        if (answer instanceof SlackAnswer.RateLimited limited) {
            limiter.holdUntil(op.teamId(), op.method(), answered.plus(limited.retryAfter()));
        }
        if (answer instanceof SlackAnswer.Error error && !SlackErrorCodes.isKnown(error.code())) {
            LOG.warn("Slack answered {} with an undocumented error '{}'; treating it as terminal",
                    op.method().apiName(), error.code());
        }
        Disposition disposition = dispositions.decide(op, work.attempts(), answer);
        metrics.slackRequest(op.method(), outcome(disposition));
        if (disposition instanceof Disposition.Done done) {
            metrics.eventToSlack(Duration.between(Instant.ofEpochMilli(work.record().timestamp()), answered));
            return List.of(result(done.result()));
        }
        if (disposition instanceof Disposition.Retry retry) {
            LOG.info("Retrying {} for call {} in {} (attempt {}): {}", op.method().apiName(), op.externalUniqueId(),
                    retry.delay(), work.attempts().attempt(), describe(answer));
            return List.of(result(retry.interim()),
                    park(work, answered.plus(retry.delay()), retry.next(), false, true));
        }
        Disposition.DeadLetter dead = (Disposition.DeadLetter) disposition;
        metrics.deadLetter(topics.callOpsDeadLetters().name(), dead.reason());
        LOG.warn("Dead-lettered {} for call {} in workspace {}: {} ({})", op.method().apiName(), op.externalUniqueId(),
                op.teamId() == null ? "(default)" : op.teamId(), dead.reason(), dead.detail());
        return List.of(result(dead.result()),
                deadLetter(work.record(), dead.reason(), dead.detail(), op, work.attempts().attempt()));
    }

    /** How one request went, for the requests-by-outcome meter. */
    private static String outcome(Disposition disposition) {
        if (disposition instanceof Disposition.Done done) {
            return done.result() instanceof OpResult.Succeeded ok && ok.note() != null ? "already_done" : "ok";
        }
        if (disposition instanceof Disposition.Retry retry) {
            return retry.interim() instanceof OpResult.RateLimited ? "rate_limited" : "transient";
        }
        OpResult.Failed failed = ((Disposition.DeadLetter) disposition).result();
        if (!failed.retriesExhausted()) {
            return "terminal";
        }
        return failed.error().equals("ratelimited") ? "rate_limited" : "transient";
    }

    /** Records waiting in the retry partitions this instance holds. */
    private long retryBacklog() {
        long backlog = 0;
        for (TopicPartition partition : consumer.assignment()) {
            if (retryTopics.contains(partition.topic())) {
                backlog += consumer.currentLag(partition).orElse(0);
            }
        }
        return backlog;
    }

    private static String describe(SlackAnswer answer) {
        if (answer instanceof SlackAnswer.RateLimited limited) {
            return "429, Retry-After " + limited.retryAfter().toSeconds() + "s";
        }
        if (answer instanceof SlackAnswer.HttpStatus status) {
            return "HTTP " + status.status();
        }
        if (answer instanceof SlackAnswer.NoAnswer none) {
            return none.reason();
        }
        return answer instanceof SlackAnswer.Error error ? error.code() : "ok";
    }

    private ProducerRecord<String, byte[]> result(OpResult result) {
        return new ProducerRecord<>(topics.callResults().name(), null, clock.millis(), result.externalUniqueId(),
                results.toBytes(result));
    }

    /** @param reported whether an interim result goes with it, which renews the reconciler's word on it */
    private ProducerRecord<String, byte[]> park(Work work, Instant due, Attempts attempts, boolean reserved,
            boolean reported) {
        ConsumerRecord<String, byte[]> record = work.record();
        Instant now = clock.instant();
        RetryTier tier = topics.parkingTierFor(Duration.between(now, due));
        Instant release = now.plus(tier.delay()).isBefore(due) ? now.plus(tier.delay()) : due;
        Headers headers = withoutDispatchHeaders(record.headers());
        DispatchHeaders.put(headers, DispatchHeaders.DUE_AT, due.toEpochMilli());
        DispatchHeaders.put(headers, DispatchHeaders.RELEASE_AT, release.toEpochMilli());
        DispatchHeaders.put(headers, DispatchHeaders.ATTEMPT, attempts.attempt());
        DispatchHeaders.put(headers, DispatchHeaders.RATE_LIMITED, attempts.rateLimited());
        if (reserved) {
            DispatchHeaders.put(headers, DispatchHeaders.RESERVED, "true");
        }
        String lastReported = DispatchHeaders.text(record.headers(), DispatchHeaders.REPORTED_AT);
        if (reported) {
            DispatchHeaders.put(headers, DispatchHeaders.REPORTED_AT, now.toEpochMilli());
        } else if (lastReported != null) {
            DispatchHeaders.put(headers, DispatchHeaders.REPORTED_AT, lastReported);
        }
        // The original timestamp stays, so event-to-Slack latency includes the time spent waiting.
        return new ProducerRecord<>(tier.topic(), null, record.timestamp(), record.key(), record.value(), headers);
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, String reason,
            String detail, CallOp op, int attempts) {
        Headers headers = withoutDispatchHeaders(record.headers());
        String text = detail == null ? reason : detail;
        DispatchHeaders.put(headers, DeadLetterHeaders.REASON, reason);
        DispatchHeaders.put(headers, DeadLetterHeaders.DETAIL,
                text.length() > DeadLetterHeaders.MAX_DETAIL_CHARS ? text.substring(0, DeadLetterHeaders.MAX_DETAIL_CHARS) : text);
        DispatchHeaders.put(headers, DeadLetterHeaders.TOPIC, record.topic());
        DispatchHeaders.put(headers, DeadLetterHeaders.PARTITION, record.partition());
        DispatchHeaders.put(headers, DeadLetterHeaders.OFFSET, record.offset());
        DispatchHeaders.put(headers, DeadLetterHeaders.AT, clock.instant());
        if (op != null) {
            DispatchHeaders.put(headers, DispatchHeaders.METHOD, op.method().apiName());
            DispatchHeaders.put(headers, DispatchHeaders.ATTEMPTS, attempts);
        }
        return new ProducerRecord<>(topics.callOpsDeadLetters().name(), null, record.timestamp(), record.key(),
                record.value(), headers);
    }

    private static Headers withoutDispatchHeaders(Headers original) {
        Headers headers = new RecordHeaders();
        original.forEach(header -> {
            if (!header.key().startsWith("dispatch.") && !header.key().startsWith("dlt.")) {
                headers.add(header);
            }
        });
        return headers;
    }

    private void resumeDuePartitions() {
        Instant now = clock.instant();
        Iterator<Map.Entry<TopicPartition, Instant>> paused = pausedUntil.entrySet().iterator();
        while (paused.hasNext()) {
            Map.Entry<TopicPartition, Instant> entry = paused.next();
            if (!entry.getValue().isAfter(now)) {
                consumer.resume(List.of(entry.getKey()));
                paused.remove();
            }
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // One round of requests per batch: the batch is what a crash before its commit sends twice,
        // and one round keeps even slow answers far inside max.poll.interval.ms.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.concurrency());
        props.putAll(overrides("consumer."));
        return props;
    }

    private Map<String, Object> producerProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(overrides("producer."));
        // Results must land where their call's task reads: by the key's hash, whatever the overrides say.
        props.remove(ProducerConfig.PARTITIONER_CLASS_CONFIG);
        props.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, false);
        return props;
    }

    /** Overrides for one client: unprefixed keys apply to both, {@code consumer.}/{@code producer.} keys to one. */
    private Map<String, Object> overrides(String prefix) {
        Map<String, Object> chosen = new HashMap<>();
        config.clientOverrides().forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                chosen.put(key.substring(prefix.length()), value);
            } else if (!key.startsWith("consumer.") && !key.startsWith("producer.")) {
                chosen.put(key, value);
            }
        });
        return chosen;
    }

    private void closeQuietly() {
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("Producer close failed", e);
        }
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("Consumer close failed", e);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Whatever is in flight finishes and commits here, or the next owner would send it again.
            finishInFlight();
            partitions.forEach(pausedUntil::remove);
            ledger.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            restore(partitions, false);
            assigned = !consumer.assignment().isEmpty();
            LOG.info("Dispatcher assigned {} partitions", consumer.assignment().size());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another instance owns them now: answers still coming for them are dropped, not committed.
            awaitInFlight(partitions);
            partitions.forEach(pausedUntil::remove);
            ledger.forget(partitions);
        }
    }

    /** Where one turn left an operation: finished with these records, or to run again at {@code later.due()}. */
    private record Turn(List<ProducerRecord<String, byte[]>> records, Work later) {
        static Turn done(ProducerRecord<String, byte[]> record) {
            return new Turn(List.of(record), null);
        }

        static Turn later(Work work) {
            return new Turn(List.of(), work);
        }
    }

    /** What a finished attempt produces; {@code failure} is set when it broke off unexpectedly. */
    private record Finished(TopicPartition partition, long offset, List<ProducerRecord<String, byte[]>> records,
            Throwable failure) {}

    /**
     * One consumed operation and where it stands.
     *
     * @param due when the operation may go: its backoff's end or its reserved slot; {@code null} when new */
    private record Work(ConsumerRecord<String, byte[]> record, CallOp op, Attempts attempts, boolean reserved,
            Instant due) {

        DispatchHeaders.Silence silence() {
            return DispatchHeaders.silence(record.headers());
        }
    }
}
