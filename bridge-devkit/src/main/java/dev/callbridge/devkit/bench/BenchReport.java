package dev.callbridge.devkit.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One benchmark run's figures, as {@link ReportWriter} writes them: JSON, Markdown and a chart. A
 * part that was not run is {@code null}.
 */
public record BenchReport(
        Machine machine,
        Instant startedAt,
        Duration took,
        Decoding decoding,
        Throughput throughput,
        Latency latency,
        Economy economy,
        RateLimitRun rateLimits,
        GroupRateLimitRun groupRateLimits,
        Memory memory,
        Ingress ingress,
        List<Target> targets) {

    /** Where the run happened. */
    public record Machine(String os, String arch, int cpus, long memoryBytes, String cpuModel, String javaVersion,
            String kafkaVersion) {}

    /**
     * In-process decoding of input records by the input topic's deserializer, one slice of records
     * after another, after a warm-up on the mix.
     *
     * @param perSlice how long each slice was decoded, split into {@code rounds} rounds
     */
    public record Decoding(Duration warmUp, Duration perSlice, int rounds, List<DecodeSlice> slices) {}

    /**
     * One slice's decoding figures: time from the median round, allocation over all rounds.
     *
     * @param averageRecordBytes the value and the text of the headers, as the size limit counts them
     * @param rejected records of the slice that the codec rejects
     * @param eventsPerSecond by the clock
     * @param nanosPerEvent by the clock
     * @param cpuNanosPerEvent the decoding thread's CPU time, or -1 where the JVM does not measure it
     * @param allocatedBytesPerEvent heap allocated by the decoding thread per record, or -1 where the JVM does not
     *     count it
     */
    public record DecodeSlice(String name, int records, double averageRecordBytes, int rejected,
            double eventsPerSecond, double nanosPerEvent, double cpuNanosPerEvent, double allocatedBytesPerEvent) {}

    /**
     * End-to-end throughput beside a pass-through Kafka Streams application on the same broker with
     * the same exactly-once settings.
     *
     * @param bridgeCurve events the bridge had taken (committed input offsets) over time
     * @param passthroughCurve the same for the pass-through application
     */
    public record Throughput(
            int calls,
            long events,
            int partitions,
            double bridgeEventsPerSecond,
            Duration bridgeTook,
            long slackRequests,
            double passthroughEventsPerSecond,
            Duration passthroughTook,
            double ratio,
            List<Progress> bridgeCurve,
            List<Progress> passthroughCurve) {}

    /** How far a run had got after {@code seconds}. */
    public record Progress(double seconds, long events) {}

    /** Unloaded event-to-Slack latency: from the event's produce timestamp to the emulator's receipt. */
    public record Latency(int samples, double p50Millis, double p95Millis, double p99Millis, double maxMillis,
            List<Double> samplesMillis) {}

    /**
     * Slack requests per call in the burst scenario, beside what one request per event would send.
     *
     * @param requestsPerCallByMethod average requests per call, by Slack method
     * @param requestsPerCallWithoutBlock average requests per call, {@code chat.postMessage} excluded
     * @param oneRequestPerEvent what a bridge sending one request per event would send per call
     */
    public record Economy(int calls, int eventsPerCall, Map<String, Double> requestsPerCallByMethod,
            double requestsPerCallWithoutBlock, int oneRequestPerEvent) {}

    /**
     * Ten times the configured budget offered at once against the emulator's rate limits.
     *
     * @param overload offered load over the budget, e.g. 10
     * @param share429 answered 429 over all requests
     * @param drain from the first event to the last call converged
     * @param nothingLost every call converged in Slack and nothing was dead-lettered
     */
    public record RateLimitRun(int calls, double overload, Map<String, MethodUse> byMethod, double share429,
            Duration drain, boolean nothingLost, long deadLetters) {}

    /**
     * One method's use of its budget while it had work waiting.
     *
     * @param budgetUsed accepted requests per minute over the budget per minute, while saturated
     */
    public record MethodUse(int budgetPerMinute, long accepted, long answered429, double budgetUsed) {}

    /**
     * Ten times each workspace's budget offered to a group of {@code bridge run} processes of one
     * application, every instance given the same per-workspace budget that Slack enforces for all of them.
     *
     * @param budgetPerMinute every instance's budget per workspace and method
     * @param slackPerMinute what Slack (the emulator) allowed per workspace and method
     * @param byWorkspace each workspace's use of its budget and its 429s, by team id
     * @param leastBudgetUsed the least {@link WorkspaceUse#budgetUsed} of any workspace
     * @param most429Share the highest {@link WorkspaceUse#share429} of any workspace
     * @param drain from the first event to the last call converged
     */
    public record GroupRateLimitRun(int instances, int workspaces, int calls, double overload, int budgetPerMinute,
            int slackPerMinute, Map<String, WorkspaceUse> byWorkspace, double leastBudgetUsed, double most429Share, Duration drain,
            boolean nothingLost, long deadLetters) {}

    /**
     * One workspace's requests as Slack counted them, from every instance together.
     *
     * @param byMethod each limited method's use of the workspace's budget
     * @param share429 the workspace's requests answered 429 over all its requests
     * @param budgetUsed the least budget used of any of its methods
     * @param mostSentInAMinute the most requests of one method sent within any 60 s, 429s included, over the
     *     budget per minute: above 1, the group sent more than the workspace's budget
     */
    public record WorkspaceUse(Map<String, MethodUse> byMethod, long requests, long answered429, double share429,
            double budgetUsed, double mostSentInAMinute) {}

    /**
     * The bridge in a JVM of its own with its heap capped, holding many live calls at once.
     *
     * @param heapUsedAfterGcBytes heap in use after a full collection
     * @param rocksDbDiskBytes the state directory's size on disk
     * @param rocksDbMemoryBytes RocksDB's memtables, block cache and table readers, as Kafka Streams reports them
     * @param survived whether the JVM stayed up (no OutOfMemoryError) with every call live in Slack
     */
    public record Memory(int activeCalls, long heapMaxBytes, long heapUsedAfterGcBytes, long rocksDbDiskBytes,
            long rocksDbMemoryBytes, long residentBytes, Duration loadTook, boolean survived) {}

    /**
     * {@code bridge ingress} with clients sending webhooks back to back, each answered only once Kafka
     * acknowledged its event.
     *
     * @param measured the measured time, after a warm-up
     * @param acknowledged webhooks answered 2xx within it
     * @param refused webhooks answered otherwise (or not at all) within it
     * @param nothingLost every acknowledged webhook's event was in the input topic afterwards
     * @param acknowledgedByKind acknowledged webhooks by kind: {@code cloudevents}, {@code twilio_conference}, {@code voice_ai}
     */
    public record Ingress(int clients, Duration measured, long acknowledged, long refused, double acknowledgedPerSecond,
            double p50Millis, double p95Millis, double p99Millis, double maxMillis, boolean nothingLost,
            Map<String, Long> acknowledgedByKind) {}

    /** One line of SPEC §9: the target, what this run measured, and whether it was met. */
    public record Target(String what, String target, String measured, boolean met) {}
}
