package dev.callbridge.reconcile;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Drives the reconciler the way the topology and the dispatcher do, without Kafka: events are applied
 * to the stored state, each emitted operation waits until {@link #answerOne} sends it to the
 * {@link SlackModel}, and the answer comes back as a result. With a random source, some answers are
 * rate limits or transient failures first, which the dispatcher would retry.
 */
final class Simulation {

    private final Reconciler reconciler;
    private final SlackModel slack;
    private final Random random;
    private final double rateLimitChance;
    private final double transientChance;
    private final Map<String, CallState> store = new HashMap<>();
    private final Map<String, CallOp> pending = new LinkedHashMap<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Map<String, List<CallEvent>> delivered = new HashMap<>();
    private final Map<String, List<CallEvent>> deliveredBeforeEnd = new HashMap<>();
    private final List<CallOp> emitted = new ArrayList<>();
    private Instant now;

    Simulation(ReconcilerSettings settings, SlackModel slack, Random random, double rateLimitChance,
            double transientChance, Instant start) {
        this.reconciler = new Reconciler(settings);
        this.slack = slack;
        this.random = random;
        this.rateLimitChance = rateLimitChance;
        this.transientChance = transientChance;
        this.now = start;
    }

    /** The reconciler's settings as {@code bridge run} would read them: its defaults, but for these keys. */
    static ReconcilerSettings settings(Map<String, String> keys) {
        return BridgeConfig.defaults(keys).reconciler();
    }

    /** A simulation where Slack always answers at once and with success. */
    static Simulation reliable(ReconcilerSettings settings, SlackModel slack, Instant start) {
        return new Simulation(settings, slack, new Random(0), 0, 0, start);
    }

    Decision deliver(CallEvent event) {
        tick();
        delivered.computeIfAbsent(event.subject(), k -> new ArrayList<>()).add(event);
        Decision decision = reconciler.onEvent(store.get(event.subject()), event, now);
        take(event.subject(), decision);
        return decision;
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Answers one waiting operation, a random one when several calls wait. */
    void answerOne() {
        List<String> calls = new ArrayList<>(pending.keySet());
        String call = calls.get(random.nextInt(calls.size()));
        answer(call);
    }

    /** Answers the operation waiting for {@code call}: a rate limit, a transient failure, or Slack's answer. */
    void answer(String call) {
        tick();
        CallOp op = pending.get(call);
        int attempt = attempts.merge(op.opId(), 1, Integer::sum);
        double roll = random.nextDouble();
        OpResult result;
        if (roll < rateLimitChance) {
            result = new OpResult.RateLimited(op.opId(), call, op.method(), attempt, Duration.ofSeconds(1));
        } else if (roll < rateLimitChance + transientChance) {
            result = new OpResult.Retrying(op.opId(), call, op.method(), attempt, "internal_error");
        } else {
            pending.remove(call);
            result = slack.answer(op, attempt);
        }
        take(call, reconciler.onResult(store.get(call), result, now));
    }

    /** Answers every waiting operation, and those they lead to, until Slack is in sync. */
    void settle() {
        while (hasPending()) {
            answerOne();
        }
    }

    /** Feeds a result as the dispatcher would, including stale and duplicated ones. */
    Decision deliverResult(OpResult result) {
        tick();
        CallOp waiting = pending.get(result.externalUniqueId());
        boolean isFinal = result instanceof OpResult.Succeeded || result instanceof OpResult.Failed
                || result instanceof OpResult.Inspected || result instanceof OpResult.Expired;
        if (isFinal && waiting != null && waiting.opId().equals(result.opId())) {
            pending.remove(result.externalUniqueId());
        }
        Decision decision = reconciler.onResult(store.get(result.externalUniqueId()), result, now);
        take(result.externalUniqueId(), decision);
        return decision;
    }

    /**
     * The answer to {@code call}'s operation in flight is lost on its way back (whether Slack acted on it
     * is up to {@code appliedInSlack}): the reconciler never hears of it.
     */
    CallOp loseAnswer(String call, boolean appliedInSlack) {
        CallOp op = pending.remove(call);
        if (appliedInSlack) {
            slack.answer(op, attempts.merge(op.opId(), 1, Integer::sum));
        }
        return op;
    }

    Decision sweep(String call, Instant at) {
        now = at;
        Decision decision = reconciler.onSweep(store.get(call), now);
        take(call, decision);
        return decision;
    }

    private void take(String call, Decision decision) {
        if (decision.stateChanged()) {
            if (decision.state() == null) {
                store.remove(call);
            } else {
                store.put(call, decision.state());
            }
        }
        for (CallOp op : decision.ops()) {
            if (pending.containsKey(call)) {
                throw new AssertionError("a second operation in flight for " + call + ": " + op);
            }
            if (op instanceof CallOp.EndCall) {
                deliveredBeforeEnd.put(call, List.copyOf(delivered.getOrDefault(call, List.of())));
            }
            pending.put(call, op);
            emitted.add(op);
        }
    }

    private void tick() {
        now = now.plusMillis(10);
    }

    CallState state(String call) {
        return store.get(call);
    }

    CallOp pendingOp(String call) {
        return pending.get(call);
    }

    List<CallOp> emitted() {
        return List.copyOf(emitted);
    }

    /** The events of {@code call} delivered before its {@code calls.end} was emitted. */
    List<CallEvent> deliveredBeforeEnd(String call) {
        return deliveredBeforeEnd.getOrDefault(call, List.of());
    }

    Instant now() {
        return now;
    }
}
