package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.reconcile.CallInput;
import dev.callbridge.reconcile.Reconciler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Held calls live in a task's memory only: what a task that starts afresh (revived after an aborted
 * transaction, or moved to another instance) plans for the calls it held, and what the wall clock does
 * while it holds them.
 */
class HeldAddRestartTest {

    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private static final Participant ALICE = Participant.slackUser("U0ALICE");

    private final TopologyConfig config = BridgeConfig.defaults(Map.of("slack.default.channel", "C0CALLS")).topology();
    private final MockProcessorContext<String, Emission> context = new MockProcessorContext<>();
    private final CallEvents call = CallEvents.sequenced("call-1", "pbx-eu", NOW.minusSeconds(60));

    private ReconcileProcessor processor(Backlogs backlogs) {
        for (String name : List.of(CallTopology.CALL_STORE, CallTopology.RECOVERY_STORE)) {
            KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                    Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        context.setCurrentSystemTimeMs(NOW.toEpochMilli());
        ReconcileProcessor processor = new ReconcileProcessor(new Reconciler(config.reconciler()), CallTopology.CALL_STORE,
                CallTopology.RECOVERY_STORE, config, new BridgeMetrics(new SimpleMeterRegistry()), backlogs);
        processor.init(context);
        return processor;
    }

    /** Reads the call's start, written a minute ago: the call is held. */
    private void readHeldStart(ReconcileProcessor processor) {
        context.setRecordMetadata(config.topics().callEvents().name(), 0, 0);
        processor.process(new Record<>("call-1", new CallInput.Event(call.started("https://pbx.example/j/1", "Standup",
                null, List.of(ALICE))), NOW.minusSeconds(60).toEpochMilli()));
        assertThat(adds()).isEmpty();
    }

    private List<CallOp.AddCall> adds() {
        return context.forwarded().stream().map(f -> f.record().value())
                .filter(Emission.Op.class::isInstance).map(e -> ((Emission.Op) e).op())
                .filter(CallOp.AddCall.class::isInstance).map(CallOp.AddCall.class::cast).toList();
    }

    private List<CapturedPunctuator> live(Duration interval) {
        return context.scheduledPunctuators().stream()
                .filter(p -> p.getInterval().equals(interval) && !p.cancelled()).toList();
    }

    @ParameterizedTest(name = "task caught up: {0}")
    @ValueSource(booleans = {true, false})
    void aCallHeldWhenItsTaskStartedAfreshIsAddedByTheNextSweepCaughtUpOrNot(boolean caughtUp) {
        ReconcileProcessor processor = processor(caughtUp ? Backlogs.ignored() : Backlogs.tracked());
        readHeldStart(processor);

        processor.init(context);
        context.setCurrentSystemTimeMs(NOW.plus(config.sweepInterval()).toEpochMilli());
        live(config.sweepInterval()).forEach(p -> p.getPunctuator().punctuate(context.currentSystemTimeMs()));

        assertThat(adds()).singleElement().satisfies(add -> assertThat(add.users()).containsExactly(ALICE));
    }

    @Test
    void theSweeperLeavesAHeldCallToItsHoldAndTheHoldsPunctuatorRunsOnlyWhileACallIsHeld() {
        ReconcileProcessor processor = processor(Backlogs.ignored());
        assertThat(live(ReconcileProcessor.RELEASE_INTERVAL)).isEmpty();
        readHeldStart(processor);
        assertThat(live(ReconcileProcessor.RELEASE_INTERVAL)).hasSize(1);

        live(config.sweepInterval()).forEach(p -> p.getPunctuator().punctuate(context.currentSystemTimeMs()));
        assertThat(adds()).isEmpty();

        context.setCurrentSystemTimeMs(NOW.plus(config.catchUp().hold()).toEpochMilli());
        live(ReconcileProcessor.RELEASE_INTERVAL).forEach(p -> p.getPunctuator().punctuate(context.currentSystemTimeMs()));

        assertThat(adds()).hasSize(1);
        assertThat(live(ReconcileProcessor.RELEASE_INTERVAL)).isEmpty();
    }

    @Test
    void aTaskInitialisedAgainSweepsOnceAsBefore() {
        ReconcileProcessor processor = processor(Backlogs.ignored());
        assertThat(live(config.sweepInterval())).hasSize(1);

        // Suspended and resumed, or closed dirty and revived: Kafka Streams keeps the task's punctuations.
        processor.close();
        assertThat(live(config.sweepInterval())).isEmpty();
        processor.init(context);
        assertThat(live(config.sweepInterval())).hasSize(1);

        processor.init(context);
        assertThat(live(config.sweepInterval())).hasSize(1);
    }
}
