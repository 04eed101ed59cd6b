package dev.callbridge.metrics;

import dev.callbridge.model.op.SlackMethod;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's own meters (see {@code docs/metrics.md}): events by type and outcome, dead letters,
 * operations, Slack requests by outcome, 429s, the retry backlog, operations in flight, live calls,
 * and the event-to-Slack latency. Tags carry only method names, event types, outcomes and reasons;
 * never a token, a call id or a workspace's secret.
 */
public final class BridgeMetrics {

    /** Config key under which Kafka Streams hands this object to the dead-letter handler. */
    public static final String CONFIG_KEY = "bridge.metrics";

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong retryBacklog = new AtomicLong();
    private final Map<String, Long> liveCallsByTask = new ConcurrentHashMap<>();
    private final Timer eventToSlack;

    public BridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("bridge.slack.in.flight", inFlight, AtomicInteger::get)
                .description("Slack requests being made right now").register(registry);
        Gauge.builder("bridge.retry.backlog", retryBacklog, AtomicLong::get)
                .description("operations parked in the retry topics, not yet sent again").register(registry);
        Gauge.builder("bridge.calls.live", liveCallsByTask,
                        byTask -> byTask.values().stream().mapToLong(Long::longValue).sum())
                .description("calls added to Slack or being added, not yet ended, as of the last sweep")
                .register(registry);
        eventToSlack = Timer.builder("bridge.event.to.slack")
                .description("from the record that caused an operation to Slack's answer")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    /** Meters that go nowhere, for tests and tools that do not serve metrics. */
    public static BridgeMetrics discarding() {
        return new BridgeMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void event(String type, String outcome) {
        Counter.builder("bridge.events").description("input events by type and how they were taken")
                .tag("type", type).tag("outcome", outcome).register(registry).increment();
    }

    public void result(String outcome) {
        Counter.builder("bridge.results").description("operation results read back by the reconciler")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** A call taken up from its last view in {@code slack.calls} because the local store had none. */
    public void recovered(String phase) {
        Counter.builder("bridge.calls.recovered")
                .description("calls whose state was restored from slack.calls because the local store had none")
                .tag("phase", phase).register(registry).increment();
    }

    public void deadLetter(String topic, String reason) {
        Counter.builder("bridge.dead.letters").description("records set aside in a dead-letter topic")
                .tag("topic", topic).tag("reason", reason).register(registry).increment();
    }

    /** An operation the dispatcher did not send because nothing was reported of it for its timeout. */
    public void expired(SlackMethod method) {
        Counter.builder("bridge.operations.expired")
                .description("operations not sent because the reconciler may already have planned another")
                .tag("method", method.apiName()).register(registry).increment();
    }

    /**
     * An operation in flight recovered by the reconciler: its answer never came, so Slack is asked
     * ({@code calls.info}) or, for {@code calls.add}, the call is added again.
     */
    public void opRecovered(SlackMethod method) {
        Counter.builder("bridge.operations.recovered")
                .description("operations whose answer never came; calls.info asked or calls.add planned again")
                .tag("method", method.apiName()).register(registry).increment();
    }

    /** A call's {@code calls.add} held back while the bridge read a backlog, to carry what followed its start. */
    public void addHeld() {
        Counter.builder("bridge.calls.add.held")
                .description("calls whose calls.add waited for their next events while the bridge caught up")
                .register(registry).increment();
    }

    /**
     * A {@code calls.add} sent again after an attempt that may have reached Slack without its answer
     * being kept (a crash, a timeout): Slack may hold a second call for it, never posted.
     */
    public void uncertainAdd() {
        Counter.builder("bridge.calls.add.uncertain")
                .description("calls.add requests repeated after an attempt whose answer was lost")
                .register(registry).increment();
    }

    /**
     * A check, before posting a call block that may already be up, of what Slack shows.
     *
     * @param outcome {@code already_posted}, {@code not_posted}, {@code check_refused}, or the
     *     check's {@code rate_limited} / {@code transient} retry
     */
    public void postChecked(String outcome) {
        Counter.builder("bridge.call.blocks.checked")
                .description("checks with calls.info before posting a call block whose earlier post may have worked")
                .tag("outcome", outcome).register(registry).increment();
    }

    /**
     * A look in a call block's thread ({@code conversations.replies}) before posting a reply whose earlier
     * post may have worked.
     *
     * @param reply {@code analysis} or {@code end_call_control}
     * @param outcome {@code already_posted}, {@code not_posted}, {@code check_refused}, or the look's
     *     {@code rate_limited} / {@code transient} retry
     */
    public void replyChecked(String reply, String outcome) {
        Counter.builder("bridge.thread.replies.checked")
                .description("looks in a call block's thread before posting a reply whose earlier post may have worked")
                .tag("reply", reply).tag("outcome", outcome).register(registry).increment();
    }

    /** One of the dispatcher's transactions: {@code committed}, {@code aborted}, {@code timed_out}, {@code committed_late} or {@code lost}. */
    public void transaction(String outcome) {
        Counter.builder("bridge.dispatch.transactions").description("the dispatcher's Kafka transactions by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    /**
     * An operation read from a partition that is not its workspace's (written before operations were
     * partitioned by workspace, or before a partition count changed), moved to its workspace's unsent.
     */
    public void operationMoved(String topic) {
        Counter.builder("bridge.operations.moved")
                .description("operations moved unsent to their workspace's partition of the shortest retry topic")
                .tag("topic", topic).register(registry).increment();
    }

    public void operation(SlackMethod method) {
        Counter.builder("bridge.operations").description("Slack operations issued by the reconciler")
                .tag("method", method.apiName()).register(registry).increment();
    }

    /**
     * One Slack request and how it went.
     *
     * @param outcome {@code ok}, {@code already_done}, {@code rate_limited}, {@code transient} or
     *     {@code terminal}
     */
    public void slackRequest(SlackMethod method, String outcome) {
        Counter.builder("bridge.slack.requests").description("Slack requests by method and outcome")
                .tag("method", method.apiName()).tag("outcome", outcome).register(registry).increment();
        if (outcome.equals("rate_limited")) {
            Counter.builder("bridge.slack.rate.limited").description("HTTP 429 answers from Slack")
                    .tag("method", method.apiName()).register(registry).increment();
        }
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    public void retryBacklog(long parked) {
        retryBacklog.set(parked);
    }

    /** The live calls one stream task holds, counted by its sweeper. */
    public void liveCalls(String task, long count) {
        liveCallsByTask.put(task, count);
    }

    public void eventToSlack(Duration latency) {
        if (!latency.isNegative()) {
            eventToSlack.record(latency);
        }
    }
}
