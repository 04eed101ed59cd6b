package dev.callbridge.topology;

import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.reconcile.CallInput;
import dev.callbridge.reconcile.Decision;
import dev.callbridge.reconcile.Reconciler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The imperative shell around the {@link Reconciler}: loads the call's state, applies the input,
 * stores the new state, and forwards the operation and the new view. A wall-clock punctuator runs
 * the stale-call sweeper over every stored call.
 *
 * <p>A call the local store does not hold is looked up in the recovery store (the last view from
 * {@code slack.calls}) before it is taken as new: after a full reset with wiped state, or for a late
 * event of a call the sweeper has forgotten, the bridge goes on from what Slack was last shown.
 *
 * <p>A change is serialized once: the same bytes go to the store, to the view on {@code slack.calls}
 * and to the size check. The states of the calls used last stay decoded (see {@link DecodedStates}),
 * so a call's next event or answer is mostly not parsed again. The store's record cache and
 * {@link ViewsAtCommit} write only a call's last change between two commits to the changelog and to
 * {@code slack.calls}.
 */
final class ReconcileProcessor implements Processor<String, CallInput, String, Emission> {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcileProcessor.class);
    private static final Set<CallState.Phase> LIVE_PHASES =
            EnumSet.of(CallState.Phase.ADDING, CallState.Phase.LIVE, CallState.Phase.ENDING);
    /** Calls kept decoded per task: more than the calls a task has busy at once under a burst. */
    static final int DECODED_STATES = 512;
    /** How often held calls are looked at on the wall clock, when no event comes to move the event time. */
    static final Duration RELEASE_INTERVAL = Duration.ofMillis(100);

    private final Reconciler reconciler;
    private final String storeName;
    private final String recoveryStoreName;
    private final Duration sweepInterval;
    private final Duration recoveryRetention;
    private final Duration opTimeout;
    private final int callPartitions;
    private final BridgeMetrics metrics;
    private final Backlogs backlogs;
    private final CallStateLimit stateLimit;
    private final String viewsTopic;
    private final String opsTopic;
    private final Serializer<CallState> stateSerializer;
    private final Deserializer<CallState> stateDeserializer;
    private final DecodedStates decoded = new DecodedStates(DECODED_STATES);
    private final CatchUp catchUp;
    private final HeldAdds held = new HeldAdds();
    /** The latest event time among the events this task has read since it started. */
    private long eventTimeMs = Long.MIN_VALUE;
    /**
     * The wall-clock look at held calls, scheduled only while some are held: every punctuation makes
     * Kafka Streams commit the task, and an idle bridge should not commit ten times a second.
     */
    private Cancellable releasing;
    /**
     * The stale-call sweeper's schedule. Kafka Streams keeps a task's punctuations when it closes the
     * task's processors (on suspension, or before reviving it) and initialises them again, so the
     * schedule is cancelled here, or every revival would add a sweep.
     */
    private Cancellable sweeping;
    private final ViewsAtCommit views = new ViewsAtCommit(
            (call, bytes, timestamp) -> forward(call, new Emission.View(bytes), timestamp));
    private ProcessorContext<String, Emission> context;
    private KeyValueStore<String, byte[]> store;
    private ReadOnlyKeyValueStore<String, byte[]> recovery;
    private RecordLimits recordLimits;
    private String changelogTopic;

    ReconcileProcessor(Reconciler reconciler, String storeName, String recoveryStoreName, TopologyConfig config,
            BridgeMetrics metrics, Backlogs backlogs) {
        this.backlogs = backlogs;
        this.reconciler = reconciler;
        this.storeName = storeName;
        this.recoveryStoreName = recoveryStoreName;
        this.sweepInterval = config.sweepInterval();
        this.recoveryRetention = config.recoveryRetention();
        this.opTimeout = config.reconciler().opTimeout();
        this.callPartitions = config.callPartitions();
        this.metrics = metrics;
        this.stateLimit = config.stateLimit();
        this.catchUp = config.catchUp();
        this.viewsTopic = config.topics().calls().name();
        this.opsTopic = config.topics().callOps().name();
        this.stateSerializer = config.topics().calls().valueSerde().serializer();
        this.stateDeserializer = config.topics().calls().valueSerde().deserializer();
    }

    @Override
    public void init(ProcessorContext<String, Emission> context) {
        this.context = context;
        // A task revived after an aborted transaction is initialised again, with its store restored.
        decoded.clear();
        held.clear();
        eventTimeMs = Long.MIN_VALUE;
        this.store = context.getStateStore(storeName);
        if (!views.attach(store, context)) {
            // Correct, but every change of a call is written twice more: Kafka Streams' flush hook is gone.
            LOG.warn("Task {} writes a view per change: the call store's record cache takes no flush listener",
                    context.taskId());
        }
        this.recovery = context.getStateStore(recoveryStoreName);
        this.recordLimits = RecordLimits.from(context.appConfigs());
        this.changelogTopic = context.applicationId() + "-" + storeName + "-changelog";
        stopSweeping();
        sweeping = context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, this::sweep);
        stopReleasing();
    }

    @Override
    public void close() {
        stopSweeping();
        stopReleasing();
    }

    private void stopSweeping() {
        if (sweeping != null) {
            sweeping.cancel();
            sweeping = null;
        }
    }

    private void stopReleasing() {
        if (releasing != null) {
            releasing.cancel();
            releasing = null;
        }
    }

    @Override
    public void process(Record<String, CallInput> record) {
        String call = record.key();
        CallState stored = decoded.decode(call, store.get(call), this::decode);
        CallState recovered = stored == null ? recover(call) : null;
        boolean behind = record.value() instanceof CallInput.Event && catchUp.behind(record.timestamp(),
                context.currentSystemTimeMs());
        Decision decision = reconciler.apply(stored != null ? stored : recovered, record.value(), now(), behind);
        if (recovered != null && !decision.stateChanged()) {
            // Even when the input changes nothing, the call is back in the local store, in the sweeper's sight.
            put(call, recovered, encode(recovered));
        }
        String outcome = decision.outcome().name().toLowerCase(Locale.ROOT);
        if (record.value() instanceof CallInput.Event event) {
            metrics.event(event.event().type().wireName(), outcome);
        } else {
            metrics.result(outcome);
            if (decision.outcome() != Decision.Outcome.RESULT_APPLIED) {
                LOG.debug("Ignored result for call {}: {}", call, decision.outcome());
            }
        }
        CallState before = stored != null ? stored : recovered;
        long timestamp = emittedAt(record);
        boolean holds = behind && decision.ops().isEmpty() && decision.stateChanged()
                && Reconciler.awaitsAdd(decision.state());
        commit(call, decision, timestamp, growth(call, before, record.value()), holds);
        noteRecovery(call, before, decision);
        if (catchUp.enabled() && record.value() instanceof CallInput.Event event) {
            holdOrRelease(call, holds, decision, event, timestamp);
        }
    }

    /**
     * Keeps the call held while its {@code calls.add} waits for what follows, and plans the held calls
     * that are due: by the event time this task has read, or by the wall clock.
     */
    private void holdOrRelease(String call, boolean holds, Decision decision, CallInput.Event event, long timestamp) {
        long wallMs = context.currentSystemTimeMs();
        // An event time ahead of the wall clock (a producer's clock running fast) counts as now, so that
        // it cannot make every later hold of the task due at once.
        long eventTime = Math.min(event.event().time().toEpochMilli(), wallMs);
        eventTimeMs = Math.max(eventTimeMs, eventTime);
        boolean holding = holds && !held.contains(call);
        if (holding) {
            long hold = catchUp.hold().toMillis();
            held.hold(call, eventTime + hold, wallMs + hold, timestamp);
        } else if (!decision.ops().isEmpty()) {
            held.remove(call);
        }
        releaseDue(wallMs);
        if (holding && held.contains(call)) {
            metrics.addHeld();
        }
    }

    private void releaseDue(long wallMs) {
        for (HeldAdds.Held due : held.due(eventTimeMs, wallMs)) {
            try {
                CallState state = decoded.decode(due.call(), store.get(due.call()), this::decode);
                if (state != null) {
                    commit(due.call(), reconciler.release(state, now()), due.timestamp(), null, false);
                }
            } catch (RejectedInputException | SerializationException e) {
                // Only the input being read may be dead-lettered, and this is another call: the sweeper
                // looks at it again.
                LOG.error("Call {}: its held calls.add was not planned: {}", due.call(), e.getMessage());
            }
        }
        if (held.size() > 0 && releasing == null) {
            releasing = context.schedule(RELEASE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::releaseDue);
        } else if (held.size() == 0) {
            stopReleasing();
        }
    }

    /**
     * The timestamp of what an input leads to: the input's own, except for a dispatcher's result, whose
     * timestamp is its operation's (see {@link OpResult#WRITTEN_AT_HEADER}); what follows from it is
     * stamped with when it was written, so that event-to-Slack latency counts from there.
     */
    private static long emittedAt(Record<String, CallInput> record) {
        if (record.value() instanceof CallInput.Result) {
            Header written = record.headers().lastHeader(OpResult.WRITTEN_AT_HEADER);
            if (written != null) {
                try {
                    return Long.parseLong(new String(written.value(), StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    LOG.debug("Result for call {} has an unreadable {} header", record.key(), OpResult.WRITTEN_AT_HEADER);
                }
            }
        }
        return record.timestamp();
    }

    /** An operation whose answer never came: counted and logged with its call, the first sign of a lost result. */
    private void noteRecovery(String call, CallState before, Decision decision) {
        if (decision.outcome() != Decision.Outcome.RECOVERED || before == null || before.inFlight() == null) {
            return;
        }
        CallOp lost = before.inFlight().op();
        metrics.opRecovered(lost.method());
        LOG.warn("Call {}: no answer came for {} ({}); {}", call, lost.opId(), decision.state().lastFailure().error(),
                decision.ops().isEmpty() ? "nothing to send" : "next: " + decision.ops().get(0).opId());
    }

    private CallState recover(String call) {
        byte[] bytes = recovery.get(call);
        if (bytes == null) {
            return null;
        }
        CallState view;
        try {
            view = decode(bytes);
        } catch (SerializationException e) {
            LOG.warn("Call {}: its last view in slack.calls cannot be read, so it is taken as new: {}", call,
                    e.getMessage());
            return null;
        }
        if (RecoveryStoreUpdater.isExpired(view, recoveryRetention, now())) {
            return null;
        }
        LOG.info("Call {} taken up from its last view in slack.calls ({}, Slack call {})", call, view.phase(),
                view.observed().slackCallId());
        metrics.recovered(view.phase().name().toLowerCase(Locale.ROOT));
        return view;
    }

    /** Whether the call belongs to this task: on its partition, where its results arrive. */
    private boolean isHome(String call) {
        return callPartitions == 0 || CallPartitioner.partition(call, callPartitions) == context.taskId().partition();
    }

    private void sweep(long wallClockMs) {
        if (!backlogs.caughtUp(context.taskId())) {
            // Silence measured by the wall clock means nothing while the task has not read what waits for it.
            LOG.info("Sweep of task {} put off: it is still reading its backlog", context.taskId());
            planWaitingAdds(wallClockMs);
            return;
        }
        Instant now = Instant.ofEpochMilli(wallClockMs);
        List<KeyValue<String, Decision>> changes = new ArrayList<>();
        List<String> forgotten = new ArrayList<>();
        Map<String, CallState> before = new HashMap<>();
        List<String> stray = new ArrayList<>();
        long live = 0;
        try (KeyValueIterator<String, byte[]> stored = store.all()) {
            while (stored.hasNext()) {
                KeyValue<String, byte[]> bytes = stored.next();
                if (!isHome(bytes.key)) {
                    stray.add(bytes.key);
                    continue;
                }
                KeyValue<String, CallState> call = KeyValue.pair(bytes.key,
                        decoded.peek(bytes.key, bytes.value, this::decode));
                if (LIVE_PHASES.contains(call.value.phase())) {
                    live++;
                }
                Decision decision = reconciler.onSweep(call.value, now);
                if (!decision.stateChanged() && waitsUnheld(call.key, call.value)) {
                    // Held when its task last stopped, or its calls.add never planned: it is planned now.
                    decision = reconciler.release(call.value, now);
                }
                if (decision.outcome() == Decision.Outcome.FORGOTTEN && call.value.desired().start() != null) {
                    // A finished call leaves the local store, but its last view stays in slack.calls, so
                    // late and replayed events for it are still recognised.
                    forgotten.add(call.key);
                } else if (decision.stateChanged()) {
                    changes.add(KeyValue.pair(call.key, decision));
                    before.put(call.key, call.value);
                }
            }
        }
        metrics.liveCalls(context.taskId().toString(), live);
        for (String call : forgotten) {
            held.remove(call);
            views.leaving(call);
            delete(call);
        }
        for (String call : stray) {
            // Left by a version that reconciled events on whatever partition they came: this task never
            // gets the call's results, so it would wait on (and recover) its operation for ever.
            LOG.warn("Call {} dropped from task {}: its events and results belong to partition {}", call,
                    context.taskId(), CallPartitioner.partition(call, callPartitions));
            views.leaving(call);
            delete(call);
        }
        for (KeyValue<String, Decision> change : changes) {
            LOG.info("Sweeper: call {} {}", change.key, change.value.outcome());
            commit(change.key, change.value, wallClockMs, null, false);
            noteRecovery(change.key, before.get(change.key), change.value);
        }
    }

    /**
     * Plans the {@code calls.add} of every stored call that waits for one and is not held: held when its
     * task last stopped. Unlike the rest of the sweep this does not wait for the backlog, since adding a
     * call depends on no silence.
     */
    private void planWaitingAdds(long wallClockMs) {
        Instant now = Instant.ofEpochMilli(wallClockMs);
        List<KeyValue<String, Decision>> planned = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> stored = store.all()) {
            while (stored.hasNext()) {
                KeyValue<String, byte[]> bytes = stored.next();
                if (!isHome(bytes.key)) {
                    continue;
                }
                CallState state = decoded.peek(bytes.key, bytes.value, this::decode);
                if (waitsUnheld(bytes.key, state)) {
                    planned.add(KeyValue.pair(bytes.key, reconciler.release(state, now)));
                }
            }
        }
        for (KeyValue<String, Decision> call : planned) {
            LOG.info("Call {}: its calls.add, held when its task stopped, is planned", call.key);
            commit(call.key, call.value, wallClockMs, null, false);
        }
    }

    /** Whether the call waits for its {@code calls.add} with no hold to plan it: held when its task last stopped. */
    private boolean waitsUnheld(String call, CallState state) {
        return !held.contains(call) && Reconciler.awaitsAdd(state);
    }

    /** How an event may grow the call, for its size limits; {@code null} for Slack's answers. */
    private CallStateLimit.Growth growth(String call, CallState before, CallInput input) {
        if (!(input instanceof CallInput.Event event)) {
            return null;
        }
        return new CallStateLimit.Growth(event.event().type() == CallEventType.ENDED,
                before == null ? 0 : before.desired().participants().size(),
                () -> before == null ? 0 : recordBytes(call, encode(before)));
    }

    private static int recordBytes(String call, byte[] state) {
        return RecordLimits.size(call.getBytes(StandardCharsets.UTF_8), state, null);
    }

    /**
     * Stores the decision's state, writes its view and forwards its operation. With {@code heldAdd}, the
     * state is also checked as it will be once its held {@code calls.add} is planned, so that the event
     * that would make it too large is the one dead-lettered.
     */
    private void commit(String call, Decision decision, long timestamp, CallStateLimit.Growth growth,
            boolean heldAdd) {
        if (decision.stateChanged()) {
            CallState state = decision.state();
            byte[] bytes = state == null ? null : encode(state);
            if (state != null && outgrowsLimit(call, state, bytes, growth)) {
                return;
            }
            if (heldAdd && mayOutgrowOnceAdded(call, bytes)) {
                CallState added = reconciler.release(state, now()).state();
                if (outgrowsLimit(call, added, encode(added), null)) {
                    return;
                }
            }
            // The view first: a full record cache may write the put's entry out at once, view and all.
            views.changed(call, bytes, timestamp);
            if (state == null) {
                delete(call);
            } else {
                put(call, state, bytes);
            }
        }
        for (CallOp op : decision.ops()) {
            metrics.operation(op.method());
            // The dispatcher must not send an operation later than the reconciler waits for word of it.
            RecordHeaders headers = new RecordHeaders();
            headers.add(CallOp.ISSUED_AT_HEADER, ascii(context.currentSystemTimeMs()));
            headers.add(CallOp.TIMEOUT_HEADER, ascii(opTimeout.toMillis()));
            context.forward(new Record<>(call, new Emission.Op(op), timestamp, headers));
        }
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether a held call's record could pass the largest record the bridge may write once its
     * {@code calls.add}, which lists at most what the state holds, is in it.
     */
    private boolean mayOutgrowOnceAdded(String call, byte[] bytes) {
        return 2L * recordBytes(call, bytes) >= recordMaxBytes();
    }

    private int recordMaxBytes() {
        return Math.min(recordLimits.maxBytes(viewsTopic),
                Math.min(recordLimits.maxBytes(changelogTopic), recordLimits.maxBytes(opsTopic)));
    }

    /**
     * Whether the new state breaks the call's {@link CallStateLimit}, in which case nothing of the
     * decision is kept: the input is dead-lettered (by throwing for {@link DeadLetterHandler}), and a
     * sweep leaves the call as it was.
     */
    private boolean outgrowsLimit(String call, CallState state, byte[] bytes, CallStateLimit.Growth growth) {
        // A punctuation runs with record metadata that names no topic.
        String input = context.recordMetadata().map(RecordMetadata::topic).orElse(null);
        // The state's record is the largest the decision writes: its operation is in it, as the one in flight.
        Optional<CallStateLimit.Breach> breach = stateLimit.breach(state, recordBytes(call, bytes), growth,
                recordMaxBytes());
        if (breach.isEmpty()) {
            return false;
        }
        if (input == null) {
            LOG.error("Call {} left as it was by a wall-clock pass (the sweeper, or a held calls.add): {}", call,
                    breach.get().detail());
            return true;
        }
        throw new RejectedInputException(breach.get().reason(), breach.get().detail());
    }

    private void forward(String call, Emission emission, long timestamp) {
        // Fresh headers: the input's CloudEvents headers must not leak onto operations and views.
        context.forward(new Record<>(call, emission, timestamp, new RecordHeaders()));
    }

    private void put(String call, CallState state, byte[] bytes) {
        store.put(call, bytes);
        decoded.remember(call, bytes, state);
    }

    private void delete(String call) {
        store.delete(call);
        decoded.forget(call);
    }

    private byte[] encode(CallState state) {
        return stateSerializer.serialize(viewsTopic, state);
    }

    private CallState decode(byte[] bytes) {
        return stateDeserializer.deserialize(viewsTopic, bytes);
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}
