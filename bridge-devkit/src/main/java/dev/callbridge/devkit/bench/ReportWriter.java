package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.CpuShare;
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
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import javax.imageio.ImageIO;

/** Writes a {@link BenchReport} into a directory as {@code report.json}, {@code report.md} and {@code report.png}. */
public final class ReportWriter {

    static final int WIDTH = 1200;
    static final int HEIGHT = 800;
    static final Rectangle THROUGHPUT_PANEL = new Rectangle(0, 44, WIDTH, 376);
    static final Rectangle LATENCY_PANEL = new Rectangle(0, 420, WIDTH / 2, HEIGHT - 420);
    static final Rectangle RATE_LIMITS_PANEL = new Rectangle(WIDTH / 2, 420, WIDTH / 2, HEIGHT - 420);
    static final Color BRIDGE_COLOR = new Color(0x1f77b4);
    static final Color NAIVE_COLOR = new Color(0xff7f0e);
    static final Color SLACK_ALONE_COLOR = new Color(0x9467bd);

    /** SPEC §9: unloaded event-to-Slack latency and the share of each method's budget used under overload. */
    static final double LATENCY_TARGET_MILLIS = 250;
    static final double BUDGET_USED_TARGET = 0.95;

    private static final double MIB = 1024.0 * 1024.0;
    private static final DateTimeFormatter STARTED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ReportWriter() {}

    public static void write(BenchReport report, Path directory) throws IOException {
        // Benchmarks run on machines without a display; AWT must not look for one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("report.json"),
                WireJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        Files.writeString(directory.resolve("report.md"), markdown(report));
        if (!ImageIO.write(new Chart(report).draw(), "png", directory.resolve("report.png").toFile())) {
            throw new IOException("this JVM has no PNG writer");
        }
    }

    // ---- Markdown ----

    static String markdown(BenchReport report) {
        StringBuilder md = new StringBuilder("# Call-lifecycle bridge benchmark\n\n");
        md.append("Started ").append(started(report.startedAt())).append(", took ").append(seconds(report.took()))
                .append(".\n\n");
        List<String> notRun = notRun(report);
        if (!notRun.isEmpty()) {
            md.append("Not run: ").append(String.join(", ", notRun)).append(".\n\n");
        }
        Machine machine = report.machine();
        if (machine != null) {
            table(md, 7, row("OS", "Arch", "CPUs", "Memory", "CPU model", "Java", "Kafka"),
                    List.of(row(machine.os(), machine.arch(), count(machine.cpus()), mib(machine.memoryBytes()),
                            machine.cpuModel(), machine.javaVersion(), machine.kafkaVersion())));
        }

        md.append("## Targets (SPEC §9)\n\n");
        List<Target> targets = report.targets() == null ? List.of() : report.targets();
        if (targets.isEmpty()) {
            md.append("No target was measured.\n\n");
        } else {
            table(md, 4, row("What", "Target", "Measured", "Met"), targets.stream()
                    .map(t -> row(t.what(), t.target(), t.measured(), t.met() ? "✓" : "✗"))
                    .toList());
        }
        md.append("![chart](report.png)\n\n");

        if (report.decoding() != null) {
            decoding(md, report.decoding());
        }
        if (report.throughput() != null) {
            throughput(md, report.throughput());
        }
        if (report.latency() != null) {
            latency(md, report.latency());
        }
        if (report.economy() != null) {
            economy(md, report.economy());
        }
        if (report.rateLimits() != null) {
            rateLimits(md, report.rateLimits());
        }
        if (report.groupRateLimits() != null) {
            groupRateLimits(md, report.groupRateLimits());
        }
        if (report.memory() != null) {
            memory(md, report.memory());
        }
        if (report.ingress() != null) {
            ingress(md, report.ingress());
        }
        return md.toString();
    }

    private static List<String> notRun(BenchReport report) {
        List<String> parts = new ArrayList<>();
        if (report.decoding() == null) {
            parts.add("decoding");
        }
        if (report.throughput() == null) {
            parts.add("throughput");
        }
        if (report.latency() == null) {
            parts.add("latency");
        }
        if (report.economy() == null) {
            parts.add("economy");
        }
        if (report.rateLimits() == null) {
            parts.add("rate limits");
        }
        if (report.groupRateLimits() == null) {
            parts.add("group rate limits");
        }
        if (report.memory() == null) {
            parts.add("memory");
        }
        if (report.ingress() == null) {
            parts.add("ingress");
        }
        return parts;
    }

    private static void decoding(StringBuilder md, Decoding d) {
        md.append("## Decoding\n\n");
        md.append("The input deserializer on one thread, no broker; ").append(seconds(d.warmUp()))
                .append(" to warm up, then ").append(seconds(d.perSlice())).append(" per slice in ")
                .append(count(d.rounds())).append(" rounds; times are the median round's, CPU time the decoding ")
                .append("thread's.\n\n");
        table(md, 1, row("Slice", "Records", "Bytes/record", "Rejected", "Events/s", "ns/event", "CPU ns/event",
                "Allocated/event"), d.slices().stream()
                        .map(s -> row(s.name(), count(s.records()), count(Math.round(s.averageRecordBytes())),
                                count(s.rejected()), count(Math.round(s.eventsPerSecond())),
                                count(Math.round(s.nanosPerEvent())),
                                s.cpuNanosPerEvent() < 0 ? "n/a" : count(Math.round(s.cpuNanosPerEvent())),
                                s.allocatedBytesPerEvent() < 0 ? "n/a" : count(Math.round(s.allocatedBytesPerEvent())) + " B"))
                        .toList());
    }

    private static void throughput(StringBuilder md, Throughput t) {
        md.append("## Throughput\n\n");
        md.append(count(t.calls())).append(" calls (").append(count(t.events())).append(" events) over ")
                .append(count(t.workspaces())).append(" workspaces, ").append(count(t.partitions()))
                .append(" partitions, ").append(count(t.concurrency()))
                .append(" Slack requests at once; each system timed from its first Slack request to its last.\n\n");
        List<SlackRun> runs = Arrays.asList(t.bridge(), t.naive(), t.slackAlone());
        List<List<String>> rows = new ArrayList<>();
        rows.add(cells("Slack requests", runs, r -> count(r.requests())));
        rows.add(cells("Slack requests/s", runs, r -> decimal(r.requestsPerSecond())));
        rows.add(cells("Calls completed", runs, r -> count(r.callsCompleted())));
        rows.add(cells("Calls completed/s", runs, r -> decimal(r.callsPerSecond())));
        rows.add(cells("Requests per call", runs,
                r -> r.callsCompleted() == 0 ? "—" : twoDecimals((double) r.requests() / r.callsCompleted())));
        rows.add(cells("Took", runs, r -> seconds(r.took())));
        rows.add(cells("Answered 429", runs, r -> count(r.answered429())));
        rows.add(cells("Duplicate calls.add", runs, r -> count(r.duplicateCallsAdd())));
        rows.add(cells("Errors", runs, r -> errors(r.errors())));
        rows.add(cells("CPU: this JVM, cores", runs, r -> cores(r.cpu() == null ? -1 : r.cpu().jvmCores())));
        rows.add(cells("CPU of this JVM per call completed, ms", runs, r -> r.cpu() == null || r.cpu().jvmCores() < 0
                || r.callsCompleted() == 0 ? "n/a"
                : decimal(r.cpu().jvmCores() * r.took().toNanos() / 1e6 / r.callsCompleted())));
        rows.add(cells("CPU: JIT compilers of this JVM, cores", runs,
                r -> cores(r.cpu() == null ? -1 : r.cpu().jitCores())));
        rows.add(cells("JIT compiler threads busy", runs, r -> cores(r.cpu() == null ? -1 : r.cpu().jitThreadsBusy())));
        rows.add(cells("CPU: other processes, cores", runs, r -> cores(r.cpu() == null ? -1 : r.cpu().otherCores())));
        rows.add(cells("CPU: stolen by the host, cores", runs,
                r -> cores(r.cpu() == null ? -1 : r.cpu().stolenCores())));
        SortedSet<String> methods = new TreeSet<>();
        runs.stream().filter(Objects::nonNull)
                .forEach(r -> methods.addAll(r.requestsByMethod() == null ? List.of() : r.requestsByMethod().keySet()));
        for (String method : methods) {
            rows.add(cells(method, runs, r -> r.requestsByMethod() == null ? "0"
                    : count(r.requestsByMethod().getOrDefault(method, 0L))));
        }
        table(md, 1, row("Figure", "Bridge", "Naive consumer", "Slack side alone"), rows);
        figures(md, List.of(
                row("Bridge / Slack side alone, requests/s", percent(t.bridgeShareOfSlackAlone())),
                row("Bridge / naive consumer, calls/s", percent(t.bridgeCallsOverNaive())),
                row("Bridge / naive consumer, requests", percent(t.bridgeRequestsOverNaive())),
                row("Bridge / naive consumer, requests without the blocks' chat.postMessage",
                        percent(t.bridgeRequestsOverNaiveWithoutBlocks()))));
        if (t.bridgeProfile() != null) {
            profile(md, t.bridgeProfile(), t.bridge());
        }
    }

    private static void profile(StringBuilder md, Profile p, SlackRun measured) {
        md.append("### Where the bridge's run spent CPU\n\n");
        md.append("The bridge once more on the same traffic, after the measured runs: ").append(seconds(p.recorded()))
                .append(" recorded into `").append(p.file()).append("`, ").append(decimal(p.requestsPerSecond()))
                .append(" Slack requests/s while recorded");
        if (measured != null) {
            md.append(" (").append(decimal(measured.requestsPerSecond())).append(" measured)");
        }
        md.append(", ").append(count(p.samples())).append(" CPU samples");
        if (p.jvmCpu() >= 0) {
            md.append("; this JVM used ").append(percent(p.jvmCpu())).append(" of the machine's CPU, the machine ")
                    .append(percent(p.machineCpu())).append(" in all");
        }
        md.append(".\n\n");
        table(md, 1, row("Threads", "Samples"), shares(p.byThread()));
        table(md, 1, row("Bridge code (first frame)", "Samples"), shares(p.hottest()));
    }

    private static List<List<String>> shares(List<CpuShare> shares) {
        return shares == null ? List.of() : shares.stream().map(s -> row(s.what(), percent(s.share()))).toList();
    }

    private static List<String> cells(String figure, List<SlackRun> runs, Function<SlackRun, String> value) {
        List<String> cells = new ArrayList<>();
        cells.add(figure);
        runs.forEach(r -> cells.add(r == null ? null : value.apply(r)));
        return cells;
    }

    private static String errors(Map<String, Long> errors) {
        if (errors == null || errors.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(errors).forEach((code, n) -> parts.add(code + " " + count(n)));
        return String.join(", ", parts);
    }

    private static void latency(StringBuilder md, Latency l) {
        md.append("## Unloaded latency\n\n");
        figures(md, List.of(
                row("Samples", count(l.samples())),
                row("p50", millis(l.p50Millis())),
                row("p95", millis(l.p95Millis())),
                row("p99", millis(l.p99Millis())),
                row("Max", millis(l.maxMillis()))));
    }

    private static void economy(StringBuilder md, Economy e) {
        md.append("## Economy\n\n");
        md.append(count(e.calls())).append(" calls of ").append(count(e.eventsPerCall())).append(" events each.\n\n");
        Map<String, Double> byMethod = new TreeMap<>(e.requestsPerCallByMethod() == null
                ? Map.of() : e.requestsPerCallByMethod());
        List<List<String>> rows = new ArrayList<>();
        byMethod.forEach((method, perCall) -> rows.add(row(method, twoDecimals(perCall))));
        rows.add(row("All methods", twoDecimals(byMethod.values().stream().mapToDouble(Double::doubleValue).sum())));
        rows.add(row("Without chat.postMessage", twoDecimals(e.requestsPerCallWithoutBlock())));
        rows.add(row("One request per event", count(e.oneRequestPerEvent())));
        table(md, 1, row("Method", "Requests per call"), rows);
    }

    private static void rateLimits(StringBuilder md, RateLimitRun r) {
        md.append("## Rate limits\n\n");
        md.append(count(r.calls())).append(" calls offered at ").append(trim(r.overload()))
                .append("× the budget.\n\n");
        table(md, 1, row("Method", "Budget/min", "Accepted", "429s", "Budget used"), byMethod(r).entrySet().stream()
                .map(m -> row(m.getKey(), count(m.getValue().budgetPerMinute()), count(m.getValue().accepted()),
                        count(m.getValue().answered429()), percent(m.getValue().budgetUsed())))
                .toList());
        figures(md, List.of(
                row("429 share of all requests", percent(r.share429())),
                row("Drain", seconds(r.drain())),
                row("Nothing lost", r.nothingLost() ? "yes" : "no"),
                row("Dead letters", count(r.deadLetters()))));
    }

    private static void groupRateLimits(StringBuilder md, GroupRateLimitRun g) {
        md.append("## Group rate limits\n\n");
        md.append(count(g.calls())).append(" calls in ").append(count(g.workspaces())).append(" workspaces offered at ")
                .append(trim(g.overload())).append("× each workspace's budget of ").append(count(g.budgetPerMinute()))
                .append(" a minute per method, to ").append(count(g.instances())).append(" instances; Slack allowed ")
                .append(count(g.slackPerMinute())).append(" a minute.\n\n");
        Map<String, WorkspaceUse> byWorkspace = new TreeMap<>(g.byWorkspace() == null ? Map.of() : g.byWorkspace());
        List<String> methods = byWorkspace.values().stream().flatMap(w -> w.byMethod().keySet().stream()).distinct()
                .sorted().toList();
        List<String> header = new ArrayList<>(List.of("Workspace", "Requests", "429s", "429 share",
                "Most sent in a minute"));
        methods.forEach(method -> header.add(method + " budget used"));
        table(md, 1, header, byWorkspace.entrySet().stream().map(w -> {
            List<String> cells = new ArrayList<>(List.of(w.getKey(), count(w.getValue().requests()),
                    count(w.getValue().answered429()), percent(w.getValue().share429()),
                    percent(w.getValue().mostSentInAMinute())));
            methods.forEach(method -> {
                MethodUse use = w.getValue().byMethod().get(method);
                cells.add(use == null ? null : percent(use.budgetUsed()));
            });
            return cells;
        }).toList());
        figures(md, List.of(
                row("Least budget used", percent(g.leastBudgetUsed())),
                row("Most 429s", percent(g.most429Share())),
                row("Drain", seconds(g.drain())),
                row("Nothing lost", g.nothingLost() ? "yes" : "no"),
                row("Dead letters", count(g.deadLetters()))));
    }

    private static Map<String, MethodUse> byMethod(RateLimitRun r) {
        return new TreeMap<>(r.byMethod() == null ? Map.of() : r.byMethod());
    }

    private static void memory(StringBuilder md, Memory m) {
        md.append("## Memory\n\n");
        figures(md, List.of(
                row("Active calls", count(m.activeCalls())),
                row("Heap max", mib(m.heapMaxBytes())),
                row("Heap after GC", mib(m.heapUsedAfterGcBytes())),
                row("RocksDB on disk", mib(m.rocksDbDiskBytes())),
                row("RocksDB memory", mib(m.rocksDbMemoryBytes())),
                row("RSS", mib(m.residentBytes())),
                row("Load took", seconds(m.loadTook())),
                row("Survived", m.survived() ? "yes" : "no")));
    }

    private static void ingress(StringBuilder md, Ingress i) {
        md.append("## Ingress\n\n");
        md.append(count(i.clients())).append(" clients sending signed webhooks back to back; each answered 200 once ")
                .append("Kafka acknowledged its event (acks=all).\n\n");
        List<List<String>> rows = new ArrayList<>(List.of(
                row("Measured", seconds(i.measured())),
                row("Acknowledged", count(i.acknowledged())),
                row("Not acknowledged", count(i.refused())),
                row("Acknowledged webhooks/s", decimal(i.acknowledgedPerSecond())),
                row("p50", millis(i.p50Millis())),
                row("p95", millis(i.p95Millis())),
                row("p99", millis(i.p99Millis())),
                row("Max", millis(i.maxMillis())),
                row("Every acknowledged event in Kafka", i.nothingLost() ? "yes" : "no")));
        new TreeMap<>(i.acknowledgedByKind() == null ? Map.<String, Long>of() : i.acknowledgedByKind())
                .forEach((kind, n) -> rows.add(row("Acknowledged " + kind, count(n))));
        figures(md, rows);
    }

    private static void figures(StringBuilder md, List<List<String>> rows) {
        table(md, 1, row("Figure", "Value"), rows);
    }

    /** A GitHub table; the columns from {@code leftAligned} on are numbers and right-aligned. */
    private static void table(StringBuilder md, int leftAligned, List<String> header, List<List<String>> rows) {
        tableRow(md, header);
        List<String> rule = new ArrayList<>();
        for (int column = 0; column < header.size(); column++) {
            rule.add(column < leftAligned ? "---" : "---:");
        }
        tableRow(md, rule);
        rows.forEach(r -> tableRow(md, r));
        md.append('\n');
    }

    private static void tableRow(StringBuilder md, List<String> cells) {
        md.append('|');
        for (String cell : cells) {
            String text = cell == null ? "—" : cell.replace("|", "\\|").replace('\n', ' ');
            md.append(' ').append(text).append(" |");
        }
        md.append('\n');
    }

    private static List<String> row(String... cells) {
        return List.of(cells);
    }

    // ---- Formatting: one place for how each kind of figure reads ----

    private static String started(Instant at) {
        return at == null ? "—" : STARTED.format(at);
    }

    private static String seconds(Duration d) {
        return d == null ? "—" : String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.1f ms", ms);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,.1f MiB", bytes / MIB);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", fraction * 100);
    }

    /** Cores on average, or n/a where they were not measured (-1). */
    private static String cores(double cores) {
        return cores < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", cores);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, "%,.1f", value);
    }

    private static String twoDecimals(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** One decimal, without a trailing ".0": tick labels and factors. */
    private static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.1f", value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    private static String compact(double value) {
        if (Math.abs(value) >= 1e6) {
            return trim(value / 1e6) + "M";
        }
        if (Math.abs(value) >= 1e3) {
            return trim(value / 1e3) + "k";
        }
        return trim(value);
    }

    // ---- Chart ----

    /** An axis from zero to {@code max} in ticks of {@code step}: 1, 2 or 5 times a power of ten. */
    private record Scale(double max, double step) {

        static Scale upTo(double value, int ticks) {
            double atLeast = value > 0 ? value : 1;
            double raw = atLeast / ticks;
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double residual = raw / magnitude;
            double step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
            return new Scale(Math.ceil(atLeast / step - 1e-9) * step, step);
        }
    }

    /** The three panels of report.png: throughput on top (requests and calls), latency and rate limits below. */
    private static final class Chart {

        private static final Color GRID = new Color(0xe6e6e6);
        private static final Color AXIS = new Color(0x555555);
        private static final Color MUTED = new Color(0x777777);
        private static final Color BARS = new Color(0x9ecae1);
        private static final Color MET = new Color(0x2ca02c);
        private static final Color MISSED = new Color(0xd62728);
        private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
        private static final Font PANEL_TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
        private static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        private static final Stroke DASHED =
                new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0);

        private final BenchReport report;
        private final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        private final Graphics2D g = image.createGraphics();

        Chart(BenchReport report) {
            this.report = report;
        }

        BufferedImage draw() {
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, WIDTH, HEIGHT);
                heading();
                throughput(report.throughput(), THROUGHPUT_PANEL);
                latency(report.latency(), LATENCY_PANEL);
                rateLimits(report.rateLimits(), RATE_LIMITS_PANEL);
                g.setColor(GRID);
                g.drawLine(0, THROUGHPUT_PANEL.y, WIDTH, THROUGHPUT_PANEL.y);
                g.drawLine(0, LATENCY_PANEL.y, WIDTH, LATENCY_PANEL.y);
                g.drawLine(RATE_LIMITS_PANEL.x, RATE_LIMITS_PANEL.y, RATE_LIMITS_PANEL.x, HEIGHT);
                return image;
            } finally {
                g.dispose();
            }
        }

        private void heading() {
            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            String title = "Call-lifecycle bridge benchmark";
            g.drawString(title, 16, 29);
            int titleEnd = 16 + g.getFontMetrics().stringWidth(title) + 24;
            Machine machine = report.machine();
            String when = "started " + started(report.startedAt()) + ", took " + seconds(report.took());
            String where = machine == null ? when : when + " · " + machine.os() + " " + machine.arch() + ", "
                    + machine.cpus() + " CPUs, Kafka " + machine.kafkaVersion();
            g.setColor(MUTED);
            g.setFont(SUBTITLE);
            // Right-aligned beside the title, never over it.
            g.drawString(where, Math.max(titleEnd, WIDTH - 16 - g.getFontMetrics().stringWidth(where)), 28);
        }

        private void throughput(Throughput t, Rectangle panel) {
            panelTitle(panel, "Throughput", t == null ? null
                    : "the bridge at " + percent(t.bridgeShareOfSlackAlone()) + " of the Slack side alone's requests/s, "
                            + percent(t.bridgeCallsOverNaive()) + " of the naive consumer's calls/s with "
                            + percent(t.bridgeRequestsOverNaive()) + " of its requests");
            if (t == null) {
                notRun(panel);
                return;
            }
            List<SlackRun> runs = List.of(t.bridge(), t.naive(), t.slackAlone());
            List<Color> colors = List.of(BRIDGE_COLOR, NAIVE_COLOR, SLACK_ALONE_COLOR);
            List<String> names = List.of("Bridge", "Naive consumer", "Slack side alone");
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                SlackRun run = runs.get(i);
                labels.add(names.get(i) + (run == null ? "" : ": " + decimal(run.requestsPerSecond()) + " requests/s, "
                        + decimal(run.callsPerSecond()) + " calls/s"));
            }
            legendRow(panel.x + 16, panel.y + 50, labels, colors);
            Rectangle left = new Rectangle(panel.x, panel.y + 18, panel.width / 2, panel.height - 18);
            Rectangle right = new Rectangle(panel.x + panel.width / 2, panel.y + 18, panel.width - panel.width / 2,
                    panel.height - 18);
            progress(plotArea(left, 80), runs, colors, SlackRun::requestCurve, "Slack requests");
            progress(plotArea(right, 80), runs, colors, SlackRun::callCurve, "calls completed");
        }

        /** Each run's curve from its first Slack request, on one pair of axes; the bridge's drawn last, over the others. */
        private void progress(Rectangle plot, List<SlackRun> runs, List<Color> colors,
                Function<SlackRun, List<Progress>> curveOf, String yTitle) {
            List<List<Progress>> curves = runs.stream()
                    .map(r -> r == null || curveOf.apply(r) == null ? List.<Progress>of() : curveOf.apply(r))
                    .toList();
            double lastSecond = curves.stream().flatMap(List::stream).mapToDouble(Progress::seconds).max().orElse(0);
            double most = curves.stream().flatMap(List::stream).mapToDouble(Progress::count).max().orElse(0);
            Scale x = Scale.upTo(lastSecond, 6);
            Scale y = Scale.upTo(most, 5);
            axes(plot, x, y, ReportWriter::trim, ReportWriter::compact, "seconds from the first Slack request", yTitle);
            for (int i = runs.size() - 1; i >= 0; i--) {
                curve(plot, x, y, curves.get(i), colors.get(i));
            }
        }

        private void curve(Rectangle plot, Scale x, Scale y, List<Progress> points, Color color) {
            if (points.isEmpty()) {
                return;
            }
            Path2D.Double line = new Path2D.Double();
            for (int i = 0; i < points.size(); i++) {
                double px = plot.x + points.get(i).seconds() / x.max() * plot.width;
                double py = plot.y + plot.height - points.get(i).count() / y.max() * plot.height;
                if (i == 0) {
                    line.moveTo(px, py);
                } else {
                    line.lineTo(px, py);
                }
            }
            g.setColor(color);
            g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(line);
            g.setStroke(new BasicStroke(1f));
        }

        private void latency(Latency l, Rectangle panel) {
            panelTitle(panel, "Unloaded latency", l == null ? null
                    : count(l.samples()) + " samples, event produced to Slack request received");
            if (l == null) {
                notRun(panel);
                return;
            }
            // Zoom on the body up to a little past p99 (or the target), so one slow outlier cannot flatten it.
            double shown = Math.max(LATENCY_TARGET_MILLIS * 1.1, Math.min(l.maxMillis(), l.p99Millis() * 1.5));
            Scale x = Scale.upTo(shown, 6);
            int bins = 40;
            long[] counts = new long[bins];
            long beyond = 0;
            for (double sample : l.samplesMillis() == null ? List.<Double>of() : l.samplesMillis()) {
                int bin = (int) (sample / x.max() * bins);
                if (bin >= bins) {
                    beyond++;
                } else {
                    counts[Math.max(bin, 0)]++;
                }
            }
            long highest = 0;
            for (long c : counts) {
                highest = Math.max(highest, c);
            }
            Rectangle plot = plotArea(panel, 64);
            Scale y = Scale.upTo(highest, 5);
            axes(plot, x, y, ReportWriter::trim, ReportWriter::compact, "milliseconds", "samples");
            g.setColor(BARS);
            double binWidth = (double) plot.width / bins;
            for (int bin = 0; bin < bins; bin++) {
                int height = (int) Math.round(counts[bin] / y.max() * plot.height);
                int left = (int) Math.round(plot.x + bin * binWidth);
                int right = (int) Math.round(plot.x + (bin + 1) * binWidth);
                g.fillRect(left + 1, plot.y + plot.height - height, Math.max(right - left - 1, 1), height);
            }
            markers(plot, x, List.of(
                    new Marker(l.p50Millis(), "p50 " + millis(l.p50Millis()), MET),
                    new Marker(l.p95Millis(), "p95 " + millis(l.p95Millis()), NAIVE_COLOR),
                    new Marker(l.p99Millis(), "p99 " + millis(l.p99Millis()), MISSED),
                    new Marker(LATENCY_TARGET_MILLIS, "target " + trim(LATENCY_TARGET_MILLIS) + " ms", Color.BLACK)));
            if (beyond > 0) {
                String note = count(beyond) + " beyond " + trim(x.max()) + " ms, max " + millis(l.maxMillis());
                g.setFont(TICK);
                g.setColor(MUTED);
                g.drawString(note, plot.x + plot.width - g.getFontMetrics().stringWidth(note), plot.y - 6);
            }
        }

        private record Marker(double value, String label, Color color) {}

        /** Vertical lines, then their labels a row apart from the top so none hides another. */
        private void markers(Rectangle plot, Scale x, List<Marker> markers) {
            g.setStroke(DASHED);
            for (Marker marker : markers) {
                int px = (int) Math.round(plot.x + marker.value() / x.max() * plot.width);
                g.setColor(marker.color());
                g.drawLine(px, plot.y, px, plot.y + plot.height);
            }
            g.setStroke(new BasicStroke(1f));
            g.setFont(LABEL);
            FontMetrics fm = g.getFontMetrics();
            for (int row = 0; row < markers.size(); row++) {
                Marker marker = markers.get(row);
                int px = (int) Math.round(plot.x + marker.value() / x.max() * plot.width);
                int width = fm.stringWidth(marker.label());
                int left = px + 5 + width <= plot.x + plot.width ? px + 5 : px - 5 - width;
                int baseline = plot.y + 16 + row * 19;
                g.setColor(Color.WHITE);
                g.fillRect(left - 2, baseline - fm.getAscent(), width + 4, fm.getHeight());
                g.setColor(marker.color());
                g.drawString(marker.label(), left, baseline);
            }
        }

        private void rateLimits(RateLimitRun r, Rectangle panel) {
            panelTitle(panel, "Rate limits", r == null ? null
                    : trim(r.overload()) + "× budget offered, " + percent(r.share429()) + " answered 429, "
                            + (r.nothingLost() ? "nothing lost" : count(r.deadLetters()) + " dead letters"));
            if (r == null) {
                notRun(panel);
                return;
            }
            Map<String, MethodUse> methods = byMethod(r);
            g.setFont(LABEL);
            FontMetrics fm = g.getFontMetrics();
            int widestName = methods.keySet().stream().mapToInt(fm::stringWidth).max().orElse(0);
            Rectangle plot = plotArea(panel, widestName + 28);
            plot.width -= 30; // room for the value beside a full bar
            double mostUsed = methods.values().stream().mapToDouble(MethodUse::budgetUsed).max().orElse(0);
            Scale x = Scale.upTo(Math.max(100, mostUsed * 100), 5);
            g.setFont(TICK);
            for (double tick = 0; tick <= x.max() + 1e-9; tick += x.step()) {
                int px = (int) Math.round(plot.x + tick / x.max() * plot.width);
                g.setColor(GRID);
                g.drawLine(px, plot.y, px, plot.y + plot.height);
                g.setColor(AXIS);
                String text = trim(tick) + " %";
                g.drawString(text, px - g.getFontMetrics().stringWidth(text) / 2, plot.y + plot.height + 18);
            }
            axisTitle(plot, "budget used while saturated", null);
            if (methods.isEmpty()) {
                return;
            }
            // The target line first: the bars cover it, so it shows between them and each bar's end reads against it.
            int target = (int) Math.round(plot.x + BUDGET_USED_TARGET * 100 / x.max() * plot.width);
            g.setColor(Color.BLACK);
            g.setStroke(DASHED);
            g.drawLine(target, plot.y - 4, target, plot.y + plot.height);
            g.setStroke(new BasicStroke(1f));
            String label = "target " + trim(BUDGET_USED_TARGET * 100) + " %";
            g.drawString(label, target - g.getFontMetrics().stringWidth(label) / 2, plot.y - 8);
            double band = (double) plot.height / methods.size();
            int barHeight = (int) Math.min(30, band * 0.6);
            int row = 0;
            for (Map.Entry<String, MethodUse> method : methods.entrySet()) {
                double used = method.getValue().budgetUsed();
                int middle = (int) Math.round(plot.y + (row++ + 0.5) * band);
                int end = plot.x + (int) Math.round(used * 100 / x.max() * plot.width);
                g.setColor(used >= BUDGET_USED_TARGET ? MET : MISSED);
                g.fillRect(plot.x, middle - barHeight / 2, end - plot.x, barHeight);
                g.setFont(LABEL);
                g.setColor(Color.BLACK);
                g.drawString(method.getKey(), plot.x - 10 - fm.stringWidth(method.getKey()), middle + 5);
                g.setFont(TICK);
                String value = percent(used);
                g.setColor(Color.WHITE);
                g.fillRect(end + 3, middle - 8, g.getFontMetrics().stringWidth(value) + 4, 16);
                g.setColor(Color.BLACK);
                g.drawString(value, end + 5, middle + 5);
            }
            g.setColor(AXIS);
            g.drawLine(plot.x, plot.y, plot.x, plot.y + plot.height);
        }

        private void panelTitle(Rectangle panel, String title, String subtitle) {
            g.setColor(Color.BLACK);
            g.setFont(PANEL_TITLE);
            g.drawString(title, panel.x + 16, panel.y + 26);
            if (subtitle != null) {
                int after = panel.x + 16 + g.getFontMetrics().stringWidth(title) + 12;
                g.setColor(MUTED);
                g.setFont(SUBTITLE);
                g.drawString(subtitle, after, panel.y + 26);
            }
        }

        private void notRun(Rectangle panel) {
            g.setColor(MUTED);
            g.setFont(PANEL_TITLE);
            FontMetrics fm = g.getFontMetrics();
            g.drawString("not run", panel.x + (panel.width - fm.stringWidth("not run")) / 2,
                    panel.y + panel.height / 2 + fm.getAscent() / 2);
        }

        private static Rectangle plotArea(Rectangle panel, int left) {
            int top = 52;
            int bottom = 58;
            int right = 30;
            return new Rectangle(panel.x + left, panel.y + top, panel.width - left - right,
                    panel.height - top - bottom);
        }

        private void axes(Rectangle plot, Scale x, Scale y, DoubleFunction<String> xLabel,
                DoubleFunction<String> yLabel, String xTitle, String yTitle) {
            g.setFont(TICK);
            FontMetrics fm = g.getFontMetrics();
            for (double tick = 0; tick <= x.max() + x.step() * 1e-6; tick += x.step()) {
                int px = (int) Math.round(plot.x + tick / x.max() * plot.width);
                g.setColor(GRID);
                g.drawLine(px, plot.y, px, plot.y + plot.height);
                g.setColor(AXIS);
                g.drawLine(px, plot.y + plot.height, px, plot.y + plot.height + 4);
                String text = xLabel.apply(tick);
                g.drawString(text, px - fm.stringWidth(text) / 2, plot.y + plot.height + 18);
            }
            for (double tick = 0; tick <= y.max() + y.step() * 1e-6; tick += y.step()) {
                int py = (int) Math.round(plot.y + plot.height - tick / y.max() * plot.height);
                g.setColor(GRID);
                g.drawLine(plot.x, py, plot.x + plot.width, py);
                g.setColor(AXIS);
                g.drawLine(plot.x - 4, py, plot.x, py);
                String text = yLabel.apply(tick);
                g.drawString(text, plot.x - 8 - fm.stringWidth(text), py + fm.getAscent() / 2 - 1);
            }
            g.setColor(AXIS);
            g.drawLine(plot.x, plot.y, plot.x, plot.y + plot.height);
            g.drawLine(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height);
            axisTitle(plot, xTitle, yTitle);
        }

        private void axisTitle(Rectangle plot, String xTitle, String yTitle) {
            g.setFont(LABEL);
            g.setColor(AXIS);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(xTitle, plot.x + (plot.width - fm.stringWidth(xTitle)) / 2, plot.y + plot.height + 40);
            if (yTitle != null) {
                AffineTransform before = g.getTransform();
                int x = plot.x - 52;
                int y = plot.y + plot.height / 2;
                g.rotate(-Math.PI / 2, x, y);
                g.drawString(yTitle, x - fm.stringWidth(yTitle) / 2, y + fm.getAscent() / 2);
                g.setTransform(before);
            }
        }

        /** Labels in a row from ({@code left}, {@code baseline}), each after a short line of its colour. */
        private void legendRow(int left, int baseline, List<String> labels, List<Color> colors) {
            g.setFont(LABEL);
            FontMetrics fm = g.getFontMetrics();
            int x = left;
            for (int i = 0; i < labels.size(); i++) {
                g.setColor(colors.get(i));
                g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.drawLine(x, baseline - 5, x + 24, baseline - 5);
                g.setStroke(new BasicStroke(1f));
                g.setColor(Color.BLACK);
                g.drawString(labels.get(i), x + 30, baseline);
                x += 30 + fm.stringWidth(labels.get(i)) + 28;
            }
        }
    }
}
