package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.Target;
import dev.callbridge.testkit.EmbeddedKafka;
import dev.callbridge.testkit.TempDirs;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: measures the bridge against SPEC §9's targets on this machine and writes a report
 * (JSON, Markdown and a chart) into a folder. Everything runs here: an in-process KRaft broker, the
 * Slack emulator, the bridge in process (and in a JVM of its own for the memory part); decoding
 * needs none of them and runs before the broker starts.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure decoding, throughput, latency, Slack economy, rate limits (one instance and a group),"
                + " memory and the webhook ingress; write a report.")
public final class BenchCommand implements Callable<Integer> {

    /** The parts of the benchmark, in the order they run. */
    enum Part { DECODE, THROUGHPUT, LATENCY, ECONOMY, RATE_LIMITS, GROUP_RATE_LIMITS, MEMORY, INGRESS }

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-report",
            description = "Folder for report.json, report.md and report.png. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--only", split = ",", paramLabel = "PART",
            description = "Run only these parts: ${COMPLETION-CANDIDATES} (comma-separated).")
    Set<Part> only;

    @Option(names = "--decode-warmup-seconds", defaultValue = "10",
            description = "Decoding: seconds of decoding the mix first, not reported. Default: ${DEFAULT-VALUE}.")
    int decodeWarmupSeconds;

    @Option(names = "--decode-seconds", defaultValue = "5",
            description = "Decoding: seconds measured per slice of records. Default: ${DEFAULT-VALUE}.")
    int decodeSeconds;

    @Option(names = "--calls", defaultValue = "2000",
            description = "Throughput: calls pre-loaded, each SPEC §9's burst (9 events, about one in ten sent twice). "
                    + "Default: ${DEFAULT-VALUE}.")
    int calls;

    @Option(names = "--workspaces", defaultValue = "1000",
            description = "Throughput: Slack workspaces the calls are spread over, each with its own token and "
                    + "channel. Default: ${DEFAULT-VALUE}.")
    int workspaces;

    @Option(names = "--warmup-calls", defaultValue = "1000",
            description = "Throughput: calls run through the bridge, the naive consumer and the Slack side first, not "
                    + "reported, so the measured round runs compiled code. 0 to measure a cold JVM. Default: ${DEFAULT-VALUE}.")
    int warmupCalls;

    @Option(names = "--profile",
            description = "Throughput: run the bridge once more on the same traffic after the measured runs, recorded "
                    + "with Java Flight Recorder into bridge.jfr beside the report, and sum up in the report where its "
                    + "CPU went; the measured figures are not recorded.")
    boolean profile;

    @Option(names = "--latency-samples", defaultValue = "300",
            description = "Latency: calls started one at a time. Default: ${DEFAULT-VALUE}.")
    int latencySamples;

    @Option(names = "--burst-calls", defaultValue = "100",
            description = "Economy: burst calls sent at once. Default: ${DEFAULT-VALUE}.")
    int burstCalls;

    @Option(names = "--budget", defaultValue = "600",
            description = "Rate limits: requests a minute allowed per method (emulator and bridge). Default: ${DEFAULT-VALUE}.")
    int budget;

    @Option(names = "--overload-seconds", defaultValue = "4",
            description = "Rate limits: seconds of calls arriving at 10x the budget. Default: ${DEFAULT-VALUE}.")
    int overloadSeconds;

    @Option(names = "--budget-burst", defaultValue = "1",
            description = "Rate limits: the bridge's slack.budget.burst. Default: ${DEFAULT-VALUE}, the bridge's default.")
    int budgetBurst;

    @Option(names = "--group-instances", defaultValue = "3",
            description = "Group rate limits: bridge run processes in the group. Default: ${DEFAULT-VALUE}.")
    int groupInstances;

    @Option(names = "--group-workspaces", defaultValue = "10",
            description = "Group rate limits: workspaces the calls are spread over. Default: ${DEFAULT-VALUE}.")
    int groupWorkspaces;

    @Option(names = "--group-budget", defaultValue = "60",
            description = "Group rate limits: every instance's budget per workspace and method, requests a minute."
                    + " Default: ${DEFAULT-VALUE}.")
    int groupBudget;

    @Option(names = "--group-slack-limit", paramLabel = "N",
            description = "Group rate limits: what the emulator allows per workspace and method, requests a minute."
                    + " Default: the budget.")
    Integer groupSlackLimit;

    @Option(names = "--group-overload-seconds", defaultValue = "15",
            description = "Group rate limits: seconds of calls arriving at 10x each workspace's budget; the drain then"
                    + " takes ten times as long, over several of Slack's minute windows. Default: ${DEFAULT-VALUE}.")
    int groupOverloadSeconds;

    @Option(names = "--memory-calls", defaultValue = "100000",
            description = "Memory: calls live at once. Default: ${DEFAULT-VALUE}.")
    int memoryCalls;

    @Option(names = "--memory-heap", defaultValue = "512m",
            description = "Memory: the bridge's heap cap (-Xmx). Default: ${DEFAULT-VALUE}.")
    String memoryHeap;

    @Option(names = "--ingress-clients", defaultValue = "32",
            description = "Ingress: clients sending webhooks back to back. Default: ${DEFAULT-VALUE}.")
    int ingressClients;

    @Option(names = "--ingress-warmup-seconds", defaultValue = "10",
            description = "Ingress: seconds of load first, not reported. Default: ${DEFAULT-VALUE}.")
    int ingressWarmupSeconds;

    @Option(names = "--ingress-seconds", defaultValue = "30",
            description = "Ingress: seconds of load measured. Default: ${DEFAULT-VALUE}.")
    int ingressSeconds;

    @Option(names = "--bridge-setting", paramLabel = "KEY=VALUE",
            description = "A setting for every bridge the benchmark starts, as in docs/configuration.md "
                    + "(e.g. dispatch.max.inline.wait=2s to compare with another value); repeatable.")
    Map<String, String> bridgeSettings = new LinkedHashMap<>();

    private final PrintStream log = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Set<Part> parts = only == null || only.isEmpty() ? EnumSet.allOf(Part.class) : EnumSet.copyOf(only);
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        BenchReport.Decoding decoding = null;
        BenchReport.Throughput throughput = null;
        BenchReport.Latency latency = null;
        BenchReport.Economy economy = null;
        BenchReport.RateLimitRun rateLimits = null;
        BenchReport.GroupRateLimitRun groupRateLimits = null;
        BenchReport.Memory memory = null;
        BenchReport.Ingress ingress = null;
        if (parts.contains(Part.DECODE)) {
            decoding = new DecodeBench(log).run(Duration.ofSeconds(decodeWarmupSeconds), Duration.ofSeconds(decodeSeconds));
        }
        // Every part but decoding needs the broker.
        if (parts.stream().anyMatch(part -> part != Part.DECODE)) {
            Path workDir = Files.createTempDirectory("call-bridge-bench-");
            try (EmbeddedKafka kafka = new EmbeddedKafka().start(); BenchWorld world = new BenchWorld(kafka, workDir, bridgeSettings)) {
                log.println("bench: broker at " + kafka.bootstrapServers() + ", work in " + workDir
                        + (bridgeSettings.isEmpty() ? "" : ", bridge settings " + bridgeSettings));
                if (parts.contains(Part.THROUGHPUT)) {
                    throughput = new ThroughputBench(world, log).run(calls, warmupCalls, workspaces,
                            profile ? Files.createDirectories(out).resolve("bridge.jfr") : null);
                }
                if (parts.contains(Part.LATENCY)) {
                    latency = new LatencyBench(world, log).run(latencySamples);
                }
                if (parts.contains(Part.ECONOMY)) {
                    economy = new EconomyBench(world, log).run(burstCalls);
                }
                if (parts.contains(Part.RATE_LIMITS)) {
                    rateLimits = new RateLimitBench(world, log).run(budget, overloadSeconds, budgetBurst);
                }
                if (parts.contains(Part.GROUP_RATE_LIMITS)) {
                    groupRateLimits = new GroupRateLimitBench(world, log).run(groupInstances, groupWorkspaces,
                            groupBudget, groupSlackLimit == null ? groupBudget : groupSlackLimit, groupOverloadSeconds);
                }
                if (parts.contains(Part.MEMORY)) {
                    memory = new MemoryBench(world, log).run(memoryCalls, memoryHeap);
                }
                if (parts.contains(Part.INGRESS)) {
                    ingress = new IngressBench(world, log).run(ingressClients, Duration.ofSeconds(ingressWarmupSeconds),
                            Duration.ofSeconds(ingressSeconds));
                }
            } finally {
                TempDirs.deleteRecursively(workDir);
            }
        }
        BenchReport report = new BenchReport(machine(), startedAt, Duration.ofNanos(System.nanoTime() - start),
                decoding, throughput, latency, economy, rateLimits, groupRateLimits, memory, ingress,
                targets(throughput, latency, economy, rateLimits, groupRateLimits, memory, ingress));
        ReportWriter.write(report, out);
        log.println();
        report.targets().forEach(t -> log.printf("%-13s %-48s %s %s%n", t.what(), t.measured(), t.met() ? "met" : "MISSED",
                "(target: " + t.target() + ")"));
        log.println("bench: report written to " + out.toAbsolutePath());
        return 0;
    }

    static List<Target> targets(BenchReport.Throughput throughput, BenchReport.Latency latency,
            BenchReport.Economy economy, BenchReport.RateLimitRun rateLimits, BenchReport.GroupRateLimitRun group,
            BenchReport.Memory memory, BenchReport.Ingress ingress) {
        List<Target> targets = new ArrayList<>();
        if (throughput != null) {
            BenchReport.SlackRun bridge = throughput.bridge();
            BenchReport.SlackRun naive = throughput.naive();
            BenchReport.SlackRun alone = throughput.slackAlone();
            // A 429 means the emulator's limits, not the systems, set a pace: the comparison would not hold.
            boolean uncapped = bridge.answered429() + naive.answered429() + alone.answered429() == 0;
            String capped = uncapped ? "" : ", CAPPED by 429s";
            targets.add(new Target("Slack ceiling", ">= 50 % of the Slack side alone in Slack requests/s",
                    String.format(Locale.ROOT, "%.0f %% (%,.0f vs %,.0f requests/s%s)",
                            throughput.bridgeShareOfSlackAlone() * 100, bridge.requestsPerSecond(),
                            alone.requestsPerSecond(), capped),
                    uncapped && throughput.bridgeShareOfSlackAlone() >= 0.5));
            targets.add(new Target("naive bridge", "calls/s >= one request per event, with <= 1/3 of its requests",
                    String.format(Locale.ROOT, "%,.0f vs %,.0f calls/s; %,d vs %,d requests (%.0f %%, %.0f %% "
                                    + "without the blocks)%s",
                            bridge.callsPerSecond(), naive.callsPerSecond(), bridge.requests(), naive.requests(),
                            throughput.bridgeRequestsOverNaive() * 100,
                            throughput.bridgeRequestsOverNaiveWithoutBlocks() * 100, capped),
                    uncapped && throughput.bridgeCallsOverNaive() >= 1.0
                            && throughput.bridgeRequestsOverNaive() <= 1.0 / 3));
        }
        if (economy != null) {
            targets.add(new Target("Slack economy", "<= 3 requests per call besides the block (vs 9)",
                    String.format(Locale.ROOT, "%.2f requests per call", economy.requestsPerCallWithoutBlock()),
                    economy.requestsPerCallWithoutBlock() <= 3.0));
        }
        if (rateLimits != null) {
            double leastUsed = rateLimits.byMethod().values().stream()
                    .mapToDouble(BenchReport.MethodUse::budgetUsed).min().orElse(0);
            targets.add(new Target("rate limits", ">= 95 % of budget used, <= 1 % 429, nothing lost",
                    String.format(Locale.ROOT, "%.1f %% used (least), %.2f %% 429, %s", leastUsed * 100,
                            rateLimits.share429() * 100, rateLimits.nothingLost() ? "nothing lost" : "LOST"),
                    leastUsed >= 0.95 && rateLimits.share429() <= 0.01 && rateLimits.nothingLost()));
        }
        if (group != null) {
            targets.add(new Target("group rate limits", String.format(Locale.ROOT,
                    ">= 95 %% of each workspace's budget, <= 1 %% 429 per workspace, %d instances", group.instances()),
                    String.format(Locale.ROOT, "%.1f %% used (least), %.2f %% 429 (most), at most %.0f %% of a"
                                    + " budget sent in a minute, %s", group.leastBudgetUsed() * 100,
                            group.most429Share() * 100, group.byWorkspace().values().stream()
                                    .mapToDouble(BenchReport.WorkspaceUse::mostSentInAMinute).max().orElse(0) * 100,
                            group.nothingLost() ? "nothing lost" : "LOST"),
                    group.leastBudgetUsed() >= 0.95 && group.most429Share() <= 0.01 && group.nothingLost()));
        }
        if (latency != null) {
            targets.add(new Target("latency", "unloaded p99 <= 250 ms (exactly_once_v2)",
                    String.format(Locale.ROOT, "p99 %.1f ms (p50 %.1f, p95 %.1f)", latency.p99Millis(),
                            latency.p50Millis(), latency.p95Millis()),
                    latency.p99Millis() <= 250));
        }
        if (memory != null) {
            targets.add(new Target("memory", String.format(Locale.ROOT, "%,d active calls, heap capped", memory.activeCalls()),
                    String.format(Locale.ROOT, "%s; heap %.0f MiB after GC", memory.survived() ? "held" : "FAILED",
                            memory.heapUsedAfterGcBytes() / 1048576.0),
                    memory.survived()));
        }
        if (ingress != null) {
            targets.add(new Target("ingress", "acknowledged only after Kafka; webhooks/s and p99 reported",
                    String.format(Locale.ROOT, "%,.0f/s, p99 %.1f ms, %s", ingress.acknowledgedPerSecond(),
                            ingress.p99Millis(), ingress.nothingLost() ? "nothing lost" : "LOST"),
                    ingress.nothingLost() && ingress.acknowledged() > 0));
        }
        return targets;
    }

    private static BenchReport.Machine machine() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new BenchReport.Machine(System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize(),
                cpuModel(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                AppInfoParser.getVersion());
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
