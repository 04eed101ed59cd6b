package dev.callbridge.topology;

import dev.callbridge.metrics.BridgeMetrics;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.state.CallState;
import dev.callbridge.reconcile.CallInput;
import dev.callbridge.reconcile.Reconciler;
import dev.callbridge.topics.Topics;
import dev.callbridge.topics.WorkspacePartitioner;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The call reconciler topology. Events are keyed and partitioned by their call (through a repartition
 * topic when the producer used another key or another partitioner), merged with the dispatcher's results, and reconciled per call
 * against one persistent store; operations go to {@code slack.call-ops}, on their workspace's
 * partition (see {@link WorkspacePartitioner}), and each call's new view to
 * {@code slack.calls}, which every instance also reads back into a global recovery store. Invalid records are dead-lettered by {@link DeadLetterHandler} as they are read.
 */
public final class CallTopology {

    /** The persistent store of {@link CallState} by {@code external_unique_id}. */
    public static final String CALL_STORE = "call-state";
    /** The global store of every call's last view, read from {@code slack.calls}, for recovery. */
    public static final String RECOVERY_STORE = "call-recovery";
    /** Name of the repartition step that re-keys and re-partitions events by {@code subject}. */
    public static final String REKEY_REPARTITION = "events-by-subject";

    /** What the reconciler fetches of one input partition at a time; see {@link #streamsProperties}. */
    static final int INPUT_FETCH_BYTES = 64 * 1024;
    /** How soon the reconciler's producer asks again when the broker is still finishing its last transaction. */
    static final int TRANSACTION_RETRY_BACKOFF_MS = 10;

    private CallTopology() {}

    public static Topology buildTopology(TopologyConfig config) {
        return buildTopology(config, BridgeMetrics.discarding());
    }

    public static Topology buildTopology(TopologyConfig config, BridgeMetrics metrics) {
        return buildTopology(config, metrics, Backlogs.ignored());
    }

    /** The topology, whose wall-clock sweeps wait while a task's {@code backlogs} say it is behind. */
    public static Topology buildTopology(TopologyConfig config, BridgeMetrics metrics, Backlogs backlogs) {
        Topics topics = config.topics();
        StreamsBuilder builder = new StreamsBuilder();
        // Both stores hold a call's state as the JSON of slack.calls, which the reconcile processor writes
        // once per change and parses only when it does not hold the state decoded already. The record
        // cache keeps a call's changes between two commits and writes only the last to RocksDB and the
        // changelog: a call changes with each of its events and answers, often several times a commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CALL_STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled());

        // Built from slack.calls, which a full application reset leaves alone; logging off, since the
        // topic itself is the store's changelog. Views stay bytes: one is parsed only when a call is
        // taken up from it, which is rare.
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RECOVERY_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                topics.calls().name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-calls-for-recovery"),
                () -> new RecoveryStoreUpdater(RECOVERY_STORE, config.recoveryRetention(),
                        topics.calls().valueSerde().deserializer()));

        // Events go straight on only when the producer put them where their call's results go; the rest,
        // whatever partitioner or key their producer used, are re-keyed and re-partitioned by the call.
        KStream<String, CallEvent> read = builder
                .stream(topics.callEvents().name(), topics.callEvents().consumed("read-call-events"));
        int partitions = config.callPartitions();
        KStream<String, CallEvent> home = read.processValues(() -> new HomePartitionFilter(partitions, true),
                Named.as("events-at-home"));
        KStream<String, CallEvent> rekeyed = read
                .processValues(() -> new HomePartitionFilter(partitions, false), Named.as("events-elsewhere"))
                .selectKey((key, event) -> event.subject(), Named.as("key-by-subject"))
                .repartition(Repartitioned.with(Serdes.String(), topics.callEvents().valueSerde())
                        .withName(REKEY_REPARTITION));

        KStream<String, CallInput> events = home
                .merge(rekeyed, Named.as("merge-events"))
                .mapValues(event -> (CallInput) new CallInput.Event(event), Named.as("as-event-input"));
        KStream<String, CallInput> results = builder
                .stream(topics.callResults().name(), topics.callResults().consumed("read-call-results"))
                .mapValues(result -> (CallInput) new CallInput.Result(result), Named.as("as-result-input"));

        Reconciler reconciler = new Reconciler(config.reconciler());
        Map<String, KStream<String, Emission>> emitted = events.merge(results, Named.as("merge-inputs"))
                .process(() -> new ReconcileProcessor(reconciler, CALL_STORE, RECOVERY_STORE, config, metrics,
                        backlogs),
                        Named.as("reconcile"), CALL_STORE)
                .split(Named.as("emit-"))
                .branch((call, emission) -> emission instanceof Emission.Op, Branched.as("ops"))
                .defaultBranch(Branched.as("views"));
        // Keyed by the call, but on the workspace's partition: one dispatcher then paces each workspace.
        WorkspacePartitioner workspaces = new WorkspacePartitioner(config.reconciler().defaultTeamId());
        emitted.get("emit-ops")
                .mapValues(emission -> ((Emission.Op) emission).op(), Named.as("op"))
                .to(topics.callOps().name(), topics.callOps().produced("write-call-ops")
                        .withStreamPartitioner((topic, call, op, opsPartitions) ->
                                Optional.of(Set.of(workspaces.partition(op.teamId(), opsPartitions)))));
        emitted.get("emit-views")
                .mapValues(emission -> ((Emission.View) emission).state(), Named.as("view"))
                .to(topics.calls().name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("write-calls"));
        return builder.build();
    }

    public static Properties streamsProperties(TopologyConfig config) {
        return streamsProperties(config, BridgeMetrics.discarding());
    }

    /**
     * The Kafka Streams settings the topology relies on: exactly-once v2, dead-lettering of invalid
     * records, and the {@link RecordLimits} its writers share. Callers add {@code application.id} and
     * {@code bootstrap.servers}, and may override the rest.
     */
    public static Properties streamsProperties(TopologyConfig config, BridgeMetrics metrics) {
        Properties props = new Properties();
        props.put(BridgeMetrics.CONFIG_KEY, metrics);
        props.put(RecordLimits.CONFIG_KEY, new RecordLimits());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // A little of each partition per fetch: the consumer hands out records in the order its fetches
        // came back, and Kafka Streams processes all it was handed before it polls again, so a fetch
        // holding a partition's whole backlog of events would hold Slack's answers back until all of it
        // is reconciled. Records larger than this are still fetched, one at a time.
        props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                INPUT_FETCH_BYTES);
        // A commit's offsets are refused (CONCURRENT_TRANSACTIONS) while the broker still finishes the
        // transaction before, and the producer asks again after retry.backoff.ms: Kafka's 100 ms made a
        // commit wait about 50 ms for nothing. Later retries still back off up to retry.backoff.max.ms.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), TRANSACTION_RETRY_BACKOFF_MS);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        // Dead-letter processing errors of the global recovery store too (the default from Kafka 5.0 on).
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(DeadLetterHandler.ROUTES_CONFIG, DeadLetterHandler.routes(Map.of(
                config.topics().callEvents().name(), config.topics().callEventsDeadLetters().name(),
                config.topics().callResults().name(), config.topics().callOpsDeadLetters().name())));
        props.put(DeadLetterHandler.REKEYED_ROUTE_CONFIG, config.topics().callEventsDeadLetters().name());
        props.put(DeadLetterHandler.SKIPPED_TOPICS_CONFIG, config.topics().calls().name());
        return props;
    }
}
