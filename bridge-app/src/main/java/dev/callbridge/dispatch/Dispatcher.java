package dev.callbridge.dispatch;

import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackClient;
import dev.callbridge.slack.SlackErrorCodes;
import dev.callbridge.topics.RetryTier;
import dev.callbridge.topics.Topics;
import dev.callbridge.topics.WorkspacePartitioner;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the reconciler's operations to Slack. A consumer group over {@code slack.call-ops} and its
 * retry topics; up to {@code dispatch.concurrency} requests are out at once, paced per (workspace,
 * method) by the {@link RateLimiter}. Operations lie on their workspace's partition, the same number
 * in every one of these topics, and the group's range assignor gives a number's partitions to one
 * member: each workspace's budgets live in one instance, and a partition number assigned anew starts
 * with empty buckets. An operation found on another workspace's partition is moved to its own unsent.
 * Three parts: the {@link Decider} decides each turn and what each
 * answer means; {@link OpRecords} makes the records that follow; the {@link Committer} writes them
 * with the offsets they let through, one transaction at a time, and the {@link OffsetLedger} names in
 * those offsets what finished above a slower operation and what may be on its way to Slack. What is
 * left here is the loop, the workers and the hand-over of partitions.
 *
 * <p>An operation whose repeat would show in Slack ({@code calls.add}, the call block, a reply in its
 * thread) is sent only once a commit names it as sending, and its answer is committed at once; after a
 * crash the next owner knows it as uncertain, checks Slack for the call block or the reply before
 * posting it again, and counts a {@code calls.add} it sends again. A partition handed over stops every operation of it not yet
 * sent, and waits for the requests already out, so two owners never send one operation.
 */
public final class Dispatcher implements AutoCloseable {

    /** How soon the producer asks again when the broker is still finishing the previous transaction. */
    static final int TRANSACTION_RETRY_BACKOFF_MS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long a poll waits while attempts are in flight, so their answers are committed promptly. */
    private static final Duration BUSY_POLL_TIMEOUT = Duration.ofMillis(5);
    private static final int WAITING_PER_WORKER = 64;
    /**
     * Operations on the workers or queued for them, per worker: a few rounds, so that the next batch is
     * read and announced while the requests of this one are out, and one commit serves both.
     */
    private static final int QUEUED_PER_WORKER = 16;
    /** Time beyond one request's timeout that a hand-over waits for the requests out. */
    private static final Duration HANDOVER_MARGIN = Duration.ofSeconds(2);

    /** Makes the Kafka clients; tests give mock ones. */
    interface Clients {
        Consumer<byte[], byte[]> consumer(Map<String, Object> properties);

        Producer<byte[], byte[]> producer(Map<String, Object> properties);
    }

    private static final Clients KAFKA = new Clients() {
        @Override
        public Consumer<byte[], byte[]> consumer(Map<String, Object> properties) {
            return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public Producer<byte[], byte[]> producer(Map<String, Object> properties) {
            return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        }
    };

    private final DispatcherConfig config;
    private final Topics topics;
    private final SlackClient slack;
    private final Clock clock;
    private final Clients clients;
    private final OpPartitions opPartitions;
    private final Decider decider;
    private final OpRecords records;
    private final BridgeMetrics metrics;
    private final JsonSerde<CallOp> ops = new JsonSerde<>(CallOp.class);
    private final Set<String> retryTopics;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final OffsetLedger ledger = new OffsetLedger();
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, Lease> leases = new ConcurrentHashMap<>();
    /**
     * The rate budgets of the workspaces on each partition number held, shared by that number's leases
     * in every source topic, and made afresh when the number is assigned.
     */
    private final Map<Integer, RateLimiter> budgets = new HashMap<>();
    /** Partitions from which an operation was moved to its workspace's, logged once per assignment. */
    private final Set<TopicPartition> movingFrom = new HashSet<>();
    /** Retry partitions whose head is not due yet, until when. */
    private final Map<TopicPartition, Instant> pausedUntil = new HashMap<>();
    /** Partitions whose offset metadata has no room for one more operation in flight. */
    private final Set<TopicPartition> full = new HashSet<>();
    /**
     * Workspaces the app was uninstalled from whose first refused operation was dead-lettered as their
     * summary: the rest fail with a result only, until an operation there succeeds again.
     */
    private final Set<String> uninstalledSummarized = ConcurrentHashMap.newKeySet();
    /** Announced operations waiting for the commit that names them. */
    private final List<Work> announced = new ArrayList<>();
    /** Whether something finished or was announced whose commit should not wait for the interval. */
    private boolean urgent;
    /** Set once the loop is done: hand-overs the consumer's close would start are already done. */
    private volatile boolean closing;
    private volatile boolean assigned;
    private volatile Throwable failure;
    private Consumer<byte[], byte[]> consumer;
    private Committer committer;
    private Thread loop;
    private KafkaClientMetrics consumerMetrics;
    private KafkaClientMetrics producerMetrics;

    public Dispatcher(DispatcherConfig config, SlackClient slack, Clock clock) {
        this(config, slack, clock, BridgeMetrics.discarding());
    }

    public Dispatcher(DispatcherConfig config, SlackClient slack, Clock clock, BridgeMetrics metrics) {
        this(config, slack, clock, metrics, KAFKA);
    }

    Dispatcher(DispatcherConfig config, SlackClient slack, Clock clock, BridgeMetrics metrics, Clients clients) {
        this.config = config;
        this.metrics = metrics;
        this.topics = config.topics();
        this.slack = slack;
        this.clock = clock;
        this.clients = clients;
        this.opPartitions = new OpPartitions(new WorkspacePartitioner(config.defaultTeamId()));
        this.retryTopics = config.topics().callOpsRetries().stream().map(RetryTier::topic).collect(Collectors.toUnmodifiableSet());
        this.decider = new Decider(config.retryPolicy(), () -> ThreadLocalRandom.current().nextDouble(),
                config.maxInlineWait(), config.requestTimeout());
        this.records = new OpRecords(topics, clock, opPartitions);
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
        consumer = clients.consumer(consumerProperties());
        consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(metrics.registry());
        committer = new Committer(this::newProducer, consumer, ledger, config.commitInterval(), System::nanoTime, metrics);
        loop = new Thread(this::run, "dispatcher");
        loop.start();
    }

    private Producer<byte[], byte[]> newProducer() {
        Producer<byte[], byte[]> producer = clients.producer(producerProperties(config));
        if (producerMetrics != null) {
            producerMetrics.close();
        }
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(metrics.registry());
        return producer;
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
            loop.join(config.requestTimeout().plus(HANDOVER_MARGIN).plusSeconds(20).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        workers.shutdownNow();
        if (consumerMetrics != null) {
            consumerMetrics.close();
        }
        if (producerMetrics != null) {
            producerMetrics.close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void run() {
        try {
            committer.start();
            consumer.subscribe(sourceTopics(), new Rebalance());
            try {
                while (running.get()) {
                    // Always polled, so the group keeps the member; with no room, every partition is paused.
                    boolean room = updatePauses();
                    if (room) {
                        // Short polls only while answers are on their way; timer waits come back on their own.
                        take(consumer.poll(answersDue() ? BUSY_POLL_TIMEOUT : POLL_TIMEOUT));
                    } else {
                        awaitOutcome(POLL_TIMEOUT);
                        take(consumer.poll(Duration.ZERO));
                    }
                    collect();
                    commitIfDue();
                    metrics.retryBacklog(retryBacklog());
                }
            } catch (WakeupException e) {
                if (running.get()) {
                    throw e;
                }
            }
            // Stopping: the answers of requests already out are committed, so a restart does not repeat them.
            handOver(ledger.partitions(), true);
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
            closing = true;
            leases.values().forEach(Lease::revoke);
            closeQuietly();
        }
    }

    /** Operations on the timer for their slot, over the partitions held: in flight, but holding no worker. */
    private int waiting() {
        return leases.values().stream().mapToInt(lease -> lease.waiting().get()).sum();
    }

    /**
     * Whether more operations may be taken: fewer than {@link #QUEUED_PER_WORKER} rounds of
     * {@code dispatch.concurrency} on the workers or queued for them. Operations on the timer or waiting for the commit that announces them hold no
     * worker; they are capped apart, so that the next commit carries a batch of announcements while the
     * last batch's requests are out.
     */
    private boolean hasRoom() {
        int parkedInMemory = waiting() + announced.size();
        return ledger.inFlight() - parkedInMemory < QUEUED_PER_WORKER * config.concurrency()
                && parkedInMemory < WAITING_PER_WORKER * config.concurrency()
                && !committer.isFailing();
    }

    private boolean answersDue() {
        return ledger.inFlight() > waiting() || committer.hasPending();
    }

    /**
     * Pauses what must not be read now and resumes the rest: every partition while there is no room
     * (too much in flight, or commits failing); otherwise retry partitions whose head is not due, and
     * partitions whose offset metadata is full.
     *
     * @return whether there is room for more operations
     */
    private boolean updatePauses() {
        boolean room = hasRoom();
        Instant now = clock.instant();
        pausedUntil.values().removeIf(until -> !until.isAfter(now));
        full.removeIf(ledger::hasRoom);
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> pause = new HashSet<>();
        if (!room) {
            pause.addAll(assignment);
        } else {
            pause.addAll(pausedUntil.keySet());
            pause.addAll(full);
            pause.retainAll(assignment);
        }
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> resume = paused.stream().filter(partition -> !pause.contains(partition)).toList();
        pause.removeAll(paused);
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        return room;
    }

    /** Starts an attempt for every due operation polled; a partition whose head must wait is paused. */
    private void take(ConsumerRecords<byte[], byte[]> polled) {
        Instant now = clock.instant();
        for (TopicPartition partition : polled.partitions()) {
            Lease lease = leases.get(partition);
            if (lease == null) {
                LOG.warn("Records of {}, which this dispatcher was not given, are left for its owner", partition);
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> record : polled.records(partition)) {
                OffsetLedger.Seen seen = ledger.seen(partition, record.offset());
                if (seen == OffsetLedger.Seen.FINISHED) {
                    continue;
                }
                DispatchHeaders.Parked parked = DispatchHeaders.read(record.headers());
                if (parked.release() != null && parked.release().isAfter(now)) {
                    // Not due: read it again once the partition resumes; later records wait behind it.
                    holdBack(partition, record.offset());
                    pausedUntil.put(partition, parked.release());
                    break;
                }
                if (!ledger.hasRoom(partition)) {
                    holdBack(partition, record.offset());
                    full.add(partition);
                    break;
                }
                ledger.start(partition, record.offset());
                if (!parked.problems().isEmpty()) {
                    LOG.warn("Operation at {}-{}@{} has dispatch headers that cannot be read, which are ignored: {}",
                            record.topic(), record.partition(), record.offset(), parked.problems());
                }
                CallOp op;
                try {
                    op = ops.fromBytes(record.value());
                    if (op == null) {
                        throw new IllegalArgumentException("empty operation record");
                    }
                } catch (RuntimeException e) {
                    LOG.error("Unreadable operation at {}-{}@{}; dead-lettered", record.topic(), record.partition(),
                            record.offset());
                    metrics.deadLetter(topics.callOpsDeadLetters().name(), "unparseable");
                    outcomes.add(new Finished(lease, partition, record.offset(),
                            List.of(records.deadLetter(record, "unparseable", e.getMessage(), null, 0)), false));
                    continue;
                }
                Work work = new Work(record, partition, lease, op, parked.attempts(), parked.due(),
                        lease.limiter().id().equals(parked.reservation()), parked.silence(),
                        parked.uncertain() || seen == OffsetLedger.Seen.MAYBE_SENT, false, false);
                Integer home = opPartitions.of(record.topic(), op);
                if (home != null && home != record.partition()) {
                    moveHome(work, home, now);
                    continue;
                }
                workers.execute(() -> attempt(work));
            }
        }
    }

    /**
     * Moves an operation lying on another workspace's partition (written before operations were
     * partitioned by workspace, or before a partition count changed) to its workspace's partition of
     * the shortest tier it fits, due when it was due, unsent: paced here, it would be paced twice.
     */
    private void moveHome(Work work, int home, Instant now) {
        if (movingFrom.add(work.partition())) {
            LOG.info("Operations on {} belong on their workspaces' partitions; moving them there unsent (first: {}"
                    + " of call {} to partition {})", work.partition(), work.op().method().apiName(),
                    work.op().externalUniqueId(), home);
        }
        metrics.operationMoved(work.partition().topic());
        Instant due = work.due() == null || work.due().isBefore(now) ? now : work.due();
        outcomes.add(new Finished(work.lease(), work.partition(), work.offset(),
                List.of(records.park(work, due, work.attempts(), null, false, false)), false));
    }

    private void holdBack(TopicPartition partition, long offset) {
        consumer.pause(List.of(partition));
        consumer.seek(partition, offset);
    }

    /**
     * Takes an operation as far as it can go now, on a worker, under its partition's lease: a hand-over
     * waits for this turn to end, and everything it reports names the lease.
     */
    private void attempt(Work work) {
        Lease lease = work.lease();
        if (!lease.begin()) {
            return; // its partition was handed over: the next owner sends it
        }
        try {
            String refused = slack.refused(work.op().teamId());
            if (refused != null) {
                // Known to fail: neither a request nor a wait for the workspace's rate budget.
                settle(work, decider.decide(work.op(), work.attempts(), new SlackAnswer.Error(refused)));
                return;
            }
            Decider.Step step = decider.next(work, clock.instant(), lease.limiter());
            if (step instanceof Decider.Wait wait) {
                lease.waiting().incrementAndGet();
                long delay = Math.max(0, Duration.between(clock.instant(), wait.due()).toNanos());
                timer.schedule(() -> {
                    lease.waiting().decrementAndGet();
                    workers.execute(() -> attempt(work.at(wait.due(), wait.reserved())));
                }, delay, TimeUnit.NANOSECONDS);
            } else if (step instanceof Decider.Announce announce) {
                outcomes.add(new Announcing(work.at(announce.due(), announce.reserved())));
            } else if (step instanceof Decider.Expire expire) {
                LOG.warn(expire.log());
                metrics.expired(work.op().method());
                finish(work, List.of(records.result(work, expire.result())));
            } else if (step instanceof Decider.Park park) {
                List<ProducerRecord<byte[], byte[]>> parkedRecords = new ArrayList<>();
                if (park.report()) {
                    parkedRecords.add(records.result(work, park.interim()));
                }
                parkedRecords.add(records.park(work, park.due(), work.attempts(),
                        park.reserved() ? lease.limiter().id() : null, park.report(), false));
                finish(work, parkedRecords);
            } else if (step instanceof Decider.Check check) {
                SlackAnswer answer = request(check.request(), lease.limiter());
                Disposition checked = decider.checked(work.op(), work.attempts(), answer);
                if (work.op() instanceof CallOp.ThreadPost reply) {
                    metrics.replyChecked(reply.reply().wireName(), checked.outcome());
                } else {
                    metrics.postChecked(checked.outcome());
                }
                metrics.slackRequest(check.request().method(), switch (checked.outcome()) {
                    case Decider.ALREADY_POSTED, "not_posted" -> "ok";
                    case "check_refused" -> "terminal";
                    default -> checked.outcome();
                });
                if (checked instanceof Disposition.Proceed) {
                    log(checked);
                    // The post takes a slot of its own.
                    attempt(work.at(null, false).checkedNow());
                } else {
                    settle(work, checked);
                }
            } else {
                Decider.Send send = (Decider.Send) step;
                if (send.warning() != null) {
                    LOG.warn(send.warning());
                    metrics.uncertainAdd();
                }
                if (work.repeatShows()) {
                    lease.requesting(work.offset());
                }
                SlackAnswer answer = request(work.op(), lease.limiter());
                Disposition disposition = decider.decide(work.op(), work.attempts(), answer);
                metrics.slackRequest(work.op().method(), disposition.outcome());
                settle(work, disposition);
            }
        } catch (RuntimeException e) {
            outcomes.add(new Broke(e));
        } finally {
            // Only once its outcome is queued: a hand-over waiting for this turn then finds it.
            lease.end();
        }
    }

    /** One request, under a lease the caller holds, whose workspace's buckets {@code limiter} holds. */
    private SlackAnswer request(CallOp op, RateLimiter limiter) {
        SlackAnswer answer;
        metrics.requestStarted();
        try {
            answer = slack.send(op);
        } finally {
            metrics.requestFinished();
        }
        if (answer instanceof SlackAnswer.RateLimited limited) {
            limiter.holdUntil(op.teamId(), op.method(), clock.instant().plus(limited.retryAfter()));
        }
        return answer;
    }

    /** The records an answer's disposition calls for. */
    private void settle(Work work, Disposition disposition) {
        CallOp op = work.op();
        if (disposition instanceof Disposition.DeadLetter dead && SlackErrorCodes.APP_UNINSTALLED.equals(dead.reason())
                && !uninstalledSummarized.add(String.valueOf(op.teamId()))) {
            LOG.info("Refused {} for call {} in workspace {}: app_uninstalled (an earlier dead letter sums the workspace up)",
                    op.method().apiName(), op.externalUniqueId(), op.teamId());
            finish(work, List.of(records.result(work, dead.result())));
            return;
        }
        log(disposition);
        if (disposition instanceof Disposition.Done done) {
            if (op.teamId() != null) {
                uninstalledSummarized.remove(op.teamId());
            }
            if (!Decider.ALREADY_POSTED.equals(done.outcome())) {
                metrics.eventToSlack(Duration.between(Instant.ofEpochMilli(work.record().timestamp()), clock.instant()));
            }
            finish(work, List.of(records.result(work, done.result())));
        } else if (disposition instanceof Disposition.Retry retry) {
            finish(work, List.of(records.result(work, retry.interim()), records.park(work, clock.instant().plus(retry.delay()),
                    retry.next(), null, true, retry.uncertain())));
        } else if (disposition instanceof Disposition.DeadLetter dead) {
            metrics.deadLetter(topics.callOpsDeadLetters().name(), dead.reason());
            String detail = SlackErrorCodes.APP_UNINSTALLED.equals(dead.reason())
                    ? "the Slack app was uninstalled from workspace " + op.teamId() + " (or its bot token revoked); its"
                            + " later operations fail with a result but no dead letter each, until it is installed again"
                    : dead.detail();
            finish(work, List.of(records.result(work, dead.result()),
                    records.deadLetter(work.record(), dead.reason(), detail, op, work.attempts().attempt())));
        } else {
            throw new IllegalStateException("no records for " + disposition);
        }
    }

    private static void log(Disposition disposition) {
        if (disposition.log() == null) {
            return;
        }
        if (disposition instanceof Disposition.DeadLetter) {
            LOG.warn(disposition.log());
        } else {
            LOG.info(disposition.log());
        }
    }

    private void finish(Work work, List<ProducerRecord<byte[], byte[]>> produced) {
        outcomes.add(new Finished(work.lease(), work.partition(), work.offset(), produced, work.repeatShows()));
    }

    private void awaitOutcome(Duration timeout) throws InterruptedException {
        Outcome first = outcomes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
            handle(first);
        }
    }

    /** Moves what the workers reported into the ledger and the next transaction. */
    private void collect() {
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            handle(outcome);
        }
    }

    private void handle(Outcome outcome) {
        if (outcome instanceof Broke broke) {
            throw new IllegalStateException("an attempt failed unexpectedly", broke.failure());
        }
        if (outcome instanceof Announcing announcing) {
            Work work = announcing.work();
            if (leases.get(work.partition()) == work.lease() && work.lease().isLive()) {
                ledger.announce(work.partition(), work.offset());
                announced.add(work);
                urgent = true;
            }
            return;
        }
        Finished done = (Finished) outcome;
        // A report from a lease since revoked is stale, even when the partition came back and that offset is in flight again.
        if (leases.get(done.partition()) == done.lease() && ledger.finish(done.partition(), done.offset())) {
            committer.add(done.partition(), done.records());
            // A call added or posted is committed at once: a crash then loses no more than the request.
            urgent |= done.urgent();
        }
    }

    private void commitIfDue() {
        if (!committer.isDue(urgent)) {
            return;
        }
        if (committer.commit()) {
            urgent = false;
            for (Work work : announced) {
                workers.execute(() -> attempt(work.announcedNow()));
            }
            announced.clear();
        }
    }

    /**
     * Gives partitions up. Every operation of theirs not yet sent stops; when {@code graceful}, the
     * requests already out are awaited (at most as long as one request may take) and everything
     * finished is committed, so the next owner sends none of it again.
     */
    private void handOver(Collection<TopicPartition> partitions, boolean graceful) {
        Map<TopicPartition, Lease> given = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Lease lease = leases.get(partition);
            if (lease != null) {
                lease.revoke();
                given.put(partition, lease);
            }
        }
        for (Iterator<Work> held = announced.iterator(); held.hasNext(); ) {
            if (partitions.contains(held.next().partition())) {
                held.remove();
            }
        }
        if (graceful) {
            long deadline = System.nanoTime() + config.requestTimeout().plus(HANDOVER_MARGIN).toNanos();
            try {
                for (Lease lease : given.values()) {
                    if (!lease.awaitIdle(deadline)) {
                        LOG.warn("A Slack request was still out when its partition was handed over");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            collect();
            // Announced but never sent: the next owner need not take them for possibly sent.
            given.forEach((partition, lease) -> ledger.withdrawUnrequested(partition, lease::requested));
            commitBefore(deadline, partitions);
        }
        given.keySet().forEach(leases::remove);
        // A number's buckets go with its last partition: should it come back, what was sent meanwhile is unknown.
        Set<Integer> held = leases.keySet().stream().map(TopicPartition::partition).collect(Collectors.toSet());
        budgets.keySet().retainAll(held);
        movingFrom.removeAll(partitions);
        // Whatever is still uncommitted for them is the next owner's to do: written later, it would double it.
        committer.drop(partitions);
        ledger.forget(partitions);
        partitions.forEach(pausedUntil::remove);
        full.removeAll(partitions);
    }

    /** Commits what finished, trying again until {@code deadline}: answers known now are not asked for again. */
    private void commitBefore(long deadline, Collection<TopicPartition> partitions) {
        while (!committer.commit()) {
            if (System.nanoTime() > deadline) {
                LOG.warn("Could not commit what finished before handing over {}; the next owner sends it again", partitions);
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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

    private List<String> sourceTopics() {
        List<String> sources = new ArrayList<>();
        sources.add(topics.callOps().name());
        topics.callOpsRetries().forEach(tier -> sources.add(tier.topic()));
        return sources;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A few rounds of requests per batch: operations waiting for their announcement hold no worker.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, QUEUED_PER_WORKER * config.concurrency());
        props.putAll(config.consumerOverrides());
        // A workspace's partitions (one number in every source topic) must go to one member, whatever the
        // overrides say: the range assignors give co-partitioned topics' same numbers to the same member.
        if (GroupProtocol.CONSUMER.name().equalsIgnoreCase(String.valueOf(props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            props.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
            props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
        } else {
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        }
        return props;
    }

    /** The producer's settings: {@code config}'s overrides over the dispatcher's own. */
    static Map<String, Object> producerProperties(DispatcherConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // A transaction's offsets are refused (CONCURRENT_TRANSACTIONS) while the broker still finishes the
        // one before, and the producer asks again after retry.backoff.ms: Kafka's 100 ms made every commit
        // wait about 50 ms on an idle broker. Later retries still back off exponentially, up to
        // retry.backoff.max.ms.
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS);
        // Three commits that time out (the Committer resumes a commit twice) stay within transaction.timeout.ms.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        props.putAll(config.producerOverrides());
        // Results must land where their call's task reads: by the key's hash, whatever the overrides say.
        props.remove(ProducerConfig.PARTITIONER_CLASS_CONFIG);
        props.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, false);
        return props;
    }

    /** Each source topic's partition count, for where operations belong; one not known now stays as it was. */
    private void countPartitions() {
        for (String topic : sourceTopics()) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic);
                opPartitions.count(topic, infos == null ? 0 : infos.size());
            } catch (RuntimeException e) {
                LOG.warn("Could not read the partitions of {}: {}", topic, e.toString());
            }
        }
    }

    private void closeQuietly() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("Consumer close failed", e);
        }
        committer.close();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!closing) {
                handOver(partitions, true);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                countPartitions();
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
                Instant now = clock.instant();
                for (TopicPartition partition : partitions) {
                    ledger.restore(partition, committed.get(partition));
                    RateLimiter limiter = budgets.computeIfAbsent(partition.partition(), number ->
                            RateLimiter.emptySince(config.budgets(), config.defaultBudget(), opPartitions::workspace, now));
                    leases.put(partition, new Lease(limiter));
                }
            }
            assigned = !consumer.assignment().isEmpty();
            LOG.info("Dispatcher assigned {} partitions", consumer.assignment().size());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another instance owns them now: what they finished is dropped, not committed.
            if (!closing) {
                handOver(partitions, false);
            }
        }
    }

    /** What a worker reports to the loop. */
    private sealed interface Outcome {}

    /** An attempt finished with these records. */
    private record Finished(Lease lease, TopicPartition partition, long offset,
            List<ProducerRecord<byte[], byte[]>> records, boolean urgent) implements Outcome {}

    /** An operation whose repeat would show, to be named in a commit before it is sent. */
    private record Announcing(Work work) implements Outcome {}

    /** An attempt broke off unexpectedly. */
    private record Broke(Throwable failure) implements Outcome {}
}
