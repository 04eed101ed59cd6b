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
     * Throughput against its ceilings, measured in one run on the same broker and emulator, with the
     * same traffic: the bridge, a naive one-request-per-event consumer, and the Slack side alone
     * sending the bridge's requests again with the dispatcher's concurrency and no Kafka.
     *
     * @param events input records, duplicates included
     * @param concurrency the dispatcher's {@code dispatch.concurrency}: the naive consumer's lanes and
     *     the Slack side's threads too
     * @param bridgeShareOfSlackAlone the bridge's Slack requests/s over the Slack side alone's
     * @param bridgeCallsOverNaive the bridge's calls completed/s over the naive consumer's
     * @param bridgeRequestsOverNaive the bridge's Slack requests over the naive consumer's
     * @param bridgeRequestsOverNaiveWithoutBlocks the same without the call blocks' {@code chat.postMessage}, as
     *     SPEC §9's economy target counts: what is left is one request per event for the naive consumer
     * @param bridgeProfile where a run of the bridge spent CPU, with {@code --profile}; otherwise {@code null}
     */
    public record Throughput(
            int calls,
            long events,
            int workspaces,
            int partitions,
            int concurrency,
            SlackRun bridge,
            SlackRun naive,
            SlackRun slackAlone,
            double bridgeShareOfSlackAlone,
            double bridgeCallsOverNaive,
            double bridgeRequestsOverNaive,
            double bridgeRequestsOverNaiveWithoutBlocks,
            Profile bridgeProfile) {}

    /**
     * A flight recording of the JVM while the bridge ran once more on the same traffic, after the measured
     * runs ({@code --profile}), summed up.
     *
     * @param file the recording, beside the report
     * @param requestsPerSecond the bridge's Slack requests/s while recorded, beside the measured run's: what
     *     the recording cost
     * @param samples CPU samples of Java code (every 20 ms of each thread running it)
     * @param jvmCpu this JVM's share of the machine's CPU, on average; -1 when not recorded
     * @param machineCpu the whole machine's CPU use, on average, other processes included; -1 when not recorded
     * @param byThread samples by what the thread does in this JVM (broker, emulator and bridge share it)
     * @param hottest samples by the first frame of the bridge's own code, the largest first
     */
    public record Profile(Duration recorded, String file, double requestsPerSecond, long samples, double jvmCpu,
            double machineCpu,
            List<CpuShare> byThread, List<CpuShare> hottest) {}

    /** A share of a profile's CPU samples. */
    public record CpuShare(String what, double share) {}

    /**
     * One system's run of the throughput part, as Slack (the emulator) saw it.
     *
     * @param took from the first Slack request the emulator received to the last
     * @param requestsByMethod every request, whatever its answer, by method
     * @param errors {@code ok: false} answers by error code
     * @param answered429 requests the emulator's rate limits refused: 0, or the limits capped the run
     * @param callsCompleted Slack calls ended
     * @param duplicateCallsAdd {@code calls.add} requests that repeated a call Slack already had
     * @param requestCurve requests received over time
     * @param callCurve Slack calls ended over time
     * @param cpu how busy the machine was from the run's start until it was done
     */
    public record SlackRun(
            long requests,
            Map<String, Long> requestsByMethod,
            Map<String, Long> errors,
            long answered429,
            long callsCompleted,
            long duplicateCallsAdd,
            Duration took,
            double requestsPerSecond,
            double callsPerSecond,
            List<Progress> requestCurve,
            List<Progress> callCurve,
            CpuUse cpu) {}

    /**
     * How busy the machine was during a run, in cores on average.
     *
     * @param jvmCores the benchmark's JVM: the broker, the emulator and the system measured
     * @param jitCores of {@code jvmCores}, what the JIT compiler threads used, as the kernel counts it: in one
     *     JVM that also holds the broker and the emulator, code compiled for one system is compiled again
     *     when another runs; -1 where not measured (no {@code /proc})
     * @param jitThreadsBusy JIT compiler threads busy compiling in this JVM, on average: the time they spent
     *     compiling over the run's, by the clock, so a compiler kept waiting by other processes counts in full;
     *     -1 where not measured
     * @param otherCores every other process on the machine
     * @param stolenCores time the host gave to its other guests (steal)
     */
    public record CpuUse(double jvmCores, double jitCores, double jitThreadsBusy, double otherCores, double stolenCores) {}

    /** How far a run had got after {@code seconds}: events taken, requests sent, calls ended. */
    public record Progress(double seconds, long count) {}

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
