package dev.callbridge.devkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.devkit.bench.BenchReport.CpuShare;
import dev.callbridge.devkit.bench.BenchReport.CpuUse;
import dev.callbridge.devkit.bench.BenchReport.DecodeSlice;
import dev.callbridge.devkit.bench.BenchReport.Decoding;
import dev.callbridge.devkit.bench.BenchReport.Economy;
import dev.callbridge.devkit.bench.BenchReport.GroupRateLimitRun;
import dev.callbridge.devkit.bench.BenchReport.Ingress;
import dev.callbridge.devkit.bench.BenchReport.Latency;
import dev.callbridge.devkit.bench.BenchReport.Machine;
import dev.callbridge.devkit.bench.BenchReport.Memory;
import dev.callbridge.devkit.bench.BenchReport.MethodUse;
import dev.callbridge.devkit.bench.BenchReport.Profile;
import dev.callbridge.devkit.bench.BenchReport.Progress;
import dev.callbridge.devkit.bench.BenchReport.RateLimitRun;
import dev.callbridge.devkit.bench.BenchReport.SlackRun;
import dev.callbridge.devkit.bench.BenchReport.Target;
import dev.callbridge.devkit.bench.BenchReport.Throughput;
import dev.callbridge.devkit.bench.BenchReport.WorkspaceUse;
import dev.callbridge.model.json.WireJson;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A benchmark run written as JSON, Markdown and a chart; a part that was not run says so in each. */
class ReportWriterTest {

    private static final int LATENCY_SAMPLES = 2_000;

    @TempDir
    Path dir;

    @Test
    void theJsonHoldsTheWholeReportWithCurvesAndSamplesInFull() throws Exception {
        ReportWriter.write(fullReport(), dir);

        JsonNode json = WireJson.mapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.at("/started_at").asText()).isEqualTo("2026-05-04T09:15:00Z");
        assertThat(json.at("/machine/cpu_model").asText()).isEqualTo("AMD EPYC 7B13");
        assertThat(json.at("/decoding/slices/0/nanos_per_event").asDouble()).isEqualTo(2_812.0);
        assertThat(json.at("/throughput/workspaces").asInt()).isEqualTo(1_000);
        assertThat(json.at("/throughput/bridge_share_of_slack_alone").asDouble()).isEqualTo(0.5512);
        assertThat(json.at("/throughput/bridge/took").asText()).isEqualTo("PT41.3S");
        assertThat(json.at("/throughput/bridge/requests_by_method/calls.add").asLong()).isEqualTo(20_000);
        assertThat(json.at("/throughput/naive/errors/bad_users").asLong()).isEqualTo(1_840);
        assertThat(json.at("/throughput/bridge/request_curve"))
                .hasSize(fullReport().throughput().bridge().requestCurve().size());
        JsonNode naiveCalls = json.at("/throughput/naive/call_curve");
        assertThat(naiveCalls.get(naiveCalls.size() - 1).get("count").asLong()).isEqualTo(20_000);
        assertThat(json.at("/throughput/bridge_profile/by_thread/0/share").asDouble()).isEqualTo(0.381);
        assertThat(json.at("/latency/p99_millis").asDouble()).isEqualTo(159.4);
        assertThat(json.at("/latency/samples_millis")).hasSize(LATENCY_SAMPLES);
        assertThat(json.at("/economy/requests_per_call_by_method/calls.update").asDouble()).isEqualTo(0.31);
        assertThat(json.at("/rate_limits/by_method/chat.postMessage/budget_used").asDouble()).isEqualTo(0.912);
        assertThat(json.at("/group_rate_limits/by_workspace/T0GRL00/by_method/calls.end/answered429").asLong())
                .isEqualTo(1);
        assertThat(json.at("/memory/heap_used_after_gc_bytes").asLong()).isEqualTo(bytes(143.5));
        assertThat(json.at("/targets/3/met").asBoolean()).isFalse();
        assertThat(json.at("/ingress/acknowledged_per_second").asDouble()).isEqualTo(2_061.0);
    }

    @Test
    void theMarkdownHasTheMachineTheTargetsAndEveryPartsFigures() throws Exception {
        ReportWriter.write(fullReport(), dir);

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).startsWith("# Call-lifecycle bridge benchmark\n")
                .contains("Started 2026-05-04 09:15:00 UTC, took 372.4 s.")
                .doesNotContain("Not run")
                .contains("| Linux | amd64 | 8 | 32,768.0 MiB | AMD EPYC 7B13 | 17.0.15 | 4.3.1 |")
                .contains("## Targets (SPEC §9)\n\n| What | Target | Measured | Met |\n")
                .contains("| Unloaded latency p99 | < 250 ms | 159.4 ms | ✓ |")
                .contains("| Budget used under 10× overload | ≥ 95 % per method | 91.2 % (chat.postMessage) | ✗ |")
                .contains("![chart](report.png)")
                // Decoding
                .contains("10.0 s to warm up, then 5.0 s per slice in 10 rounds",
                        "| Slice | Records | Bytes/record | Rejected | Events/s | ns/event | CPU ns/event | Allocated/event |\n",
                        "| mix | 10,000 | 1,012 | 500 | 355,619 | 2,812 | 2,703 | 9,731 B |",
                        "| invalid | 500 | 498 | 500 | 401,606 | 2,490 | n/a | n/a |")
                // Throughput
                .contains("20,000 calls (198,000 events) over 1,000 workspaces, 12 partitions, 16 Slack requests at once",
                        "| Figure | Bridge | Naive consumer | Slack side alone |\n",
                        "| Slack requests | 80,000 | 220,000 | 80,000 |",
                        "| Slack requests/s | 1,937.0 | 2,750.0 | 3,508.8 |",
                        "| Calls completed/s | 484.3 | 250.0 | 877.2 |",
                        "| Requests per call | 4.00 | 11.00 | 4.00 |",
                        "| Took | 41.3 s | 80.0 s | 22.8 s |",
                        "| Answered 429 | 0 | 0 | 0 |",
                        "| Duplicate calls.add | 0 | 2,000 | 0 |",
                        "| Errors | none | bad_users 1,840, inactive_call 2,010 | none |",
                        "| CPU: this JVM, cores | 1.62 | n/a | 1.62 |",
                        "| CPU of this JVM per call completed, ms | 3.3 | n/a | 1.8 |",
                        "| CPU: JIT compilers of this JVM, cores | 0.41 | n/a | 0.41 |",
                        "| JIT compiler threads busy | 0.34 | n/a | 0.34 |",
                        "| CPU: other processes, cores | 0.21 | n/a | 0.21 |",
                        "| calls.participants.add | 20,000 | 110,000 | 20,000 |",
                        "| calls.participants.remove | 0 | 44,000 | 0 |",
                        "| Bridge / Slack side alone, requests/s | 55.1 % |",
                        "| Bridge / naive consumer, calls/s | 193.7 % |",
                        "| Bridge / naive consumer, requests | 36.4 % |",
                        "| Bridge / naive consumer, requests without the blocks' chat.postMessage | 30.3 % |",
                        "### Where the bridge's run spent CPU\n\nThe bridge once more on the same traffic, after the "
                                + "measured runs: 43.8 s recorded into `bridge.jfr`, 1,802.4 Slack requests/s while "
                                + "recorded (1,937.0 measured), 7,912 CPU samples; this JVM used 61.2 % of the "
                                + "machine's CPU, the machine 95.3 % in all.",
                        "| stream thread (reconciler, state store) | 38.1 % |", "| broker | 21.4 % |",
                        "| JsonSerde.fromBytes from MeteredKeyValueStore.deserializeValue | 9.7 % |")
                // Latency
                .contains("| Samples | 2,000 |", "| p50 | 60.9 ms |", "| p95 | 124.3 ms |", "| p99 | 159.4 ms |")
                // Economy
                .contains("| calls.participants.add | 0.62 |", "| All methods | 3.93 |",
                        "| Without chat.postMessage | 2.93 |", "| One request per event | 12 |")
                // Rate limits
                .contains("2,000 calls offered at 10× the budget.",
                        "| calls.update | 50 | 1,452 | 13,208 | 96.8 % |",
                        "| 429 share of all requests | 27.0 % |", "| Drain | 372.4 s |", "| Nothing lost | yes |",
                        "| Dead letters | 0 |")
                // Group rate limits
                .contains("100 calls in 2 workspaces offered at 10× each workspace's budget of 60 a minute per method,"
                                + " to 3 instances; Slack allowed 60 a minute.",
                        "| Workspace | Requests | 429s | 429 share | Most sent in a minute | calls.add budget used"
                                + " | calls.end budget used |\n",
                        "| T0GRL00 | 101 | 1 | 1.0 % | 101.7 % | 98.1 % | 95.7 % |", "| Least budget used | 95.7 % |",
                        "| Most 429s | 1.0 % |", "| Drain | 58.3 s |")
                // Memory
                .contains("| Active calls | 100,000 |", "| Heap max | 512.0 MiB |", "| Heap after GC | 143.5 MiB |",
                        "| RocksDB on disk | 88.2 MiB |", "| RocksDB memory | 64.0 MiB |", "| RSS | 903.7 MiB |",
                        "| Load took | 95.6 s |", "| Survived | yes |")
                // Ingress
                .contains("32 clients sending signed webhooks back to back", "| Acknowledged | 61,830 |",
                        "| Acknowledged webhooks/s | 2,061.0 |", "| p99 | 38.9 ms |",
                        "| Every acknowledged event in Kafka | yes |", "| Acknowledged twilio_conference | 20,610 |");
        assertThat(md.indexOf("## Decoding")).isLessThan(md.indexOf("## Throughput"));
        assertThat(md.indexOf("## Throughput")).isLessThan(md.indexOf("## Unloaded latency"));
    }

    @Test
    void partsThatWereNotRunAreLeftOutOfTheJsonAndTheMarkdownSaysSo() throws Exception {
        ReportWriter.write(nothingRun(), dir);

        JsonNode json = WireJson.mapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.has("machine")).isTrue();
        assertThat(json.has("decoding")).isFalse();
        assertThat(json.has("throughput")).isFalse();
        assertThat(json.has("latency")).isFalse();
        assertThat(json.has("memory")).isFalse();
        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("Not run: decoding, throughput, latency, economy, rate limits, group rate limits, memory, ingress.")
                .contains("## Targets (SPEC §9)\n\nNo target was measured.")
                .doesNotContain("## Decoding", "## Throughput", "## Unloaded latency", "## Economy", "## Rate limits", "## Memory",
                        "## Ingress");
    }

    @Test
    void theChartDrawsEveryThroughputCurveAndTheOtherPanels() throws Exception {
        ReportWriter.write(fullReport(), dir);

        BufferedImage chart = ImageIO.read(dir.resolve("report.png").toFile());
        assertThat(chart.getWidth()).isEqualTo(1200);
        assertThat(chart.getHeight()).isEqualTo(800);
        // A curve on each of the two plots, not only its colour in the legend (about 70 pixels).
        for (Color run : List.of(ReportWriter.BRIDGE_COLOR, ReportWriter.NAIVE_COLOR, ReportWriter.SLACK_ALONE_COLOR)) {
            assertThat(pixelsOf(chart, ReportWriter.THROUGHPUT_PANEL, run)).isGreaterThan(500);
        }
        assertThat(nonWhite(chart, ReportWriter.LATENCY_PANEL)).isGreaterThan(20_000);
        assertThat(nonWhite(chart, ReportWriter.RATE_LIMITS_PANEL)).isGreaterThan(20_000);
    }

    @Test
    void aChartOfNothingRunIsThePanelsSayingNotRun() throws Exception {
        ReportWriter.write(nothingRun(), dir.resolve("empty"));
        ReportWriter.write(fullReport(), dir.resolve("full"));

        BufferedImage empty = ImageIO.read(dir.resolve("empty/report.png").toFile());
        BufferedImage full = ImageIO.read(dir.resolve("full/report.png").toFile());
        assertThat(empty.getWidth()).isEqualTo(1200);
        assertThat(empty.getHeight()).isEqualTo(800);
        assertThat(pixelsOf(empty, ReportWriter.THROUGHPUT_PANEL, ReportWriter.BRIDGE_COLOR)).isZero();
        for (Rectangle panel : List.of(ReportWriter.THROUGHPUT_PANEL, ReportWriter.LATENCY_PANEL,
                ReportWriter.RATE_LIMITS_PANEL)) {
            assertThat(nonWhite(empty, panel)).isLessThan(nonWhite(full, panel) / 5);
            Rectangle middle = new Rectangle(panel.x + panel.width / 2 - 60, panel.y + panel.height / 2 - 20, 120, 40);
            assertThat(nonWhite(empty, middle)).as("\"not run\" in the middle of %s", panel).isGreaterThan(100);
        }
    }

    /** A 20,000-call run on a workstation, every part run, one target missed. */
    static BenchReport fullReport() {
        return new BenchReport(
                new Machine("Linux", "amd64", 8, 32L * 1024 * 1024 * 1024, "AMD EPYC 7B13", "17.0.15", "4.3.1"),
                Instant.parse("2026-05-04T09:15:00Z"),
                Duration.ofMillis(372_400),
                new Decoding(Duration.ofSeconds(10), Duration.ofSeconds(5), 10, List.of(
                        new DecodeSlice("mix", 10_000, 1_012.4, 500, 355_618.7, 2_812, 2_703, 9_731.2),
                        new DecodeSlice("invalid", 500, 497.6, 500, 401_606.4, 2_490, -1, -1))),
                new Throughput(20_000, 198_000, 1_000, 12, 16,
                        slackRun(Map.of("calls.add", 20_000L, "chat.postMessage", 20_000L,
                                "calls.participants.add", 20_000L, "calls.end", 20_000L), Map.of(), 0, 41.3),
                        slackRun(Map.of("calls.add", 22_000L, "chat.postMessage", 22_000L,
                                "calls.participants.add", 110_000L, "calls.participants.remove", 44_000L,
                                "calls.end", 22_000L), Map.of("bad_users", 1_840L, "inactive_call", 2_010L), 2_000, 80),
                        slackRun(Map.of("calls.add", 20_000L, "chat.postMessage", 20_000L,
                                "calls.participants.add", 20_000L, "calls.end", 20_000L), Map.of(), 0, 22.8),
                        0.5512, 1.937, 0.3636, 0.3030,
                        new Profile(Duration.ofMillis(43_800), "bridge.jfr", 1_802.4, 7_912, 0.612, 0.953,
                                List.of(new CpuShare("stream thread (reconciler, state store)", 0.381),
                                        new CpuShare("broker", 0.214)),
                                List.of(new CpuShare("JsonSerde.fromBytes from MeteredKeyValueStore.deserializeValue", 0.097)))),
                new Latency(LATENCY_SAMPLES, 60.9, 124.3, 159.4, 279.4, latencySamples()),
                new Economy(500, 12, Map.of("calls.add", 1.0, "calls.participants.add", 0.62, "calls.update", 0.31,
                        "calls.end", 1.0, "chat.postMessage", 1.0), 2.93, 12),
                new RateLimitRun(2_000, 10, Map.of(
                        "calls.add", new MethodUse(50, 1_461, 13_050, 0.972),
                        "calls.participants.add", new MethodUse(50, 1_433, 8_870, 0.955),
                        "calls.update", new MethodUse(50, 1_452, 13_208, 0.968),
                        "calls.end", new MethodUse(50, 1_474, 12_911, 0.981),
                        "chat.postMessage", new MethodUse(60, 1_641, 14_102, 0.912)),
                        0.27, Duration.ofMillis(372_400), true, 0),
                new GroupRateLimitRun(3, 2, 100, 10, 60, 60, Map.of(
                        "T0GRL00", new WorkspaceUse(Map.of(
                                "calls.add", new MethodUse(60, 50, 0, 0.981),
                                "calls.end", new MethodUse(60, 50, 1, 0.957)), 101, 1, 0.0099, 0.957, 1.017),
                        "T0GRL01", new WorkspaceUse(Map.of(
                                "calls.add", new MethodUse(60, 50, 0, 0.99),
                                "calls.end", new MethodUse(60, 50, 0, 0.975)), 100, 0, 0, 0.975, 1.0)),
                        0.957, 0.0099, Duration.ofMillis(58_300), true, 0),
                new Memory(100_000, bytes(512), bytes(143.5), bytes(88.2), bytes(64), bytes(903.7),
                        Duration.ofMillis(95_600), true),
                new Ingress(32, Duration.ofSeconds(30), 61_830, 0, 2_061.0, 12.4, 21.7, 38.9, 141.2, true,
                        Map.of("cloudevents", 20_610L, "twilio_conference", 20_610L, "voice_ai", 20_610L)),
                List.of(
                        new Target("Slack ceiling", "≥ 50 % of the Slack side alone", "55.1 %", true),
                        new Target("Unloaded latency p99", "< 250 ms", "159.4 ms", true),
                        new Target("Requests per call without the block", "≤ 4", "2.93", true),
                        new Target("Budget used under 10× overload", "≥ 95 % per method",
                                "91.2 % (chat.postMessage)", false),
                        new Target("Heap with 100,000 live calls", "≤ 512 MiB, no OOM", "143.5 MiB", true)));
    }

    private static BenchReport nothingRun() {
        return new BenchReport(new Machine("Linux", "aarch64", 4, bytes(16_384), "Neoverse-N1", "17.0.15", "4.3.1"),
                Instant.parse("2026-05-04T09:15:00Z"), Duration.ofSeconds(2), null, null, null, null, null, null, null, null,
                List.of());
    }

    /** A run of 20,000 calls, all completed, its requests at a steady rate. */
    private static SlackRun slackRun(Map<String, Long> byMethod, Map<String, Long> errors, long duplicates,
            double tookSeconds) {
        long requests = byMethod.values().stream().mapToLong(Long::longValue).sum();
        long calls = 20_000;
        return new SlackRun(requests, byMethod, errors, 0, calls, duplicates,
                Duration.ofMillis(Math.round(tookSeconds * 1000)), requests / tookSeconds, calls / tookSeconds,
                curve(requests, tookSeconds, 0), curve(calls, tookSeconds, 0.5),
                duplicates == 0 ? new CpuUse(1.62, 0.41, 0.34, 0.21, 0.05) : new CpuUse(-1, -1, -1, -1, -1));
    }

    /** Nothing for {@code lag} seconds, then a steady rate until the last one. */
    private static List<Progress> curve(long total, double tookSeconds, double lag) {
        List<Progress> curve = new ArrayList<>();
        for (double t = 0; t < tookSeconds; t += 0.5) {
            double done = Math.max(0, (t - lag) / (tookSeconds - lag));
            curve.add(new Progress(t, Math.round(total * done)));
        }
        curve.add(new Progress(tookSeconds, total));
        return curve;
    }

    /** Log-normal around 60 ms, as an idle bridge and emulator on one machine answer. */
    private static List<Double> latencySamples() {
        Random random = new Random(7);
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < LATENCY_SAMPLES; i++) {
            samples.add(60 * Math.exp(0.45 * random.nextGaussian()));
        }
        return samples;
    }

    private static long bytes(double mib) {
        return Math.round(mib * 1024 * 1024);
    }

    private static int pixelsOf(BufferedImage image, Rectangle area, Color color) {
        int found = 0;
        for (int x = area.x; x < area.x + area.width; x++) {
            for (int y = area.y; y < area.y + area.height; y++) {
                if ((image.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff)) {
                    found++;
                }
            }
        }
        return found;
    }

    private static int nonWhite(BufferedImage image, Rectangle area) {
        return area.width * area.height - pixelsOf(image, area, Color.WHITE);
    }
}
