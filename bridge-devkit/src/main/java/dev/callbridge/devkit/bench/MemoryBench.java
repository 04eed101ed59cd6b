package dev.callbridge.devkit.bench;

import dev.callbridge.cli.BridgeCommand;
import dev.callbridge.config.BridgeConfig;
import dev.callbridge.devkit.bench.BenchReport.Memory;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.service.TopicProvisioner;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.Ports;
import dev.callbridge.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Memory: {@code bridge run} in a JVM of its own with its heap capped, taking many calls that start
 * and stay live. Once Slack shows every one of them, a full collection, then the heap in use, the
 * state directory on disk, RocksDB's memory as Kafka Streams reports it, and the process's resident
 * size.
 */
final class MemoryBench {

    private static final String PREFIX = "mem-";
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private static final int BATCH = 10_000;

    private final BenchWorld world;
    private final PrintStream log;

    MemoryBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    Memory run(int calls, String heap) throws IOException, InterruptedException {
        Topics topics = world.topics(PREFIX);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                world.kafka.bootstrapServers()))) {
            new TopicProvisioner(admin).ensure(topics, BenchWorld.PARTITIONS, (short) 1,
                    BridgeConfig.defaults().recoveryRetention(), false);
        }
        world.awaitLeaders(topics.names());
        try (SlackEmulator slack = DemoWorkspace.emulator().rateLimits(RateLimits.unlimited()).build().start()) {
            EmulatorClient emulator = slack.client();
            log.printf("memory: pre-loading %,d calls that start and stay live ...%n", calls);
            for (int from = 0; from < calls; from += BATCH) {
                List<CallEvent> batch = new ArrayList<>(BATCH);
                for (int n = from; n < Math.min(calls, from + BATCH); n++) {
                    batch.add(BenchCalls.started(PREFIX + "call-" + n, n));
                }
                world.send(topics.callEvents().name(), batch);
            }
            int port = Ports.free();
            Map<String, String> env = world.bridgeEnvironment(PREFIX, slack, true);
            // No call block: the figure is about the calls the bridge holds, not the messages it posts.
            env.remove("BRIDGE_SLACK_DEFAULT_CHANNEL");
            env.put("BRIDGE_HTTP_PORT", Integer.toString(port));
            Path stateDir = Path.of(env.get("BRIDGE_STATE_DIR"));
            Path logFile = world.workDir.resolve("memory-bridge.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx" + heap, "-XX:+UseG1GC",
                    "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                    BridgeCommand.class.getName(), "run");
            builder.environment().putAll(env);
            builder.redirectErrorStream(true).redirectOutput(logFile.toFile());
            log.printf("memory: bridge run with -Xmx%s (log: %s) ...%n", heap, logFile);
            long start = System.nanoTime();
            Process bridge = builder.start();
            try {
                BenchWorld.await(Duration.ofMinutes(15), () -> !bridge.isAlive()
                        || emulator.stats().of(ApiMethod.CALLS_ADD).ok() >= calls, "every call to be live in Slack");
                Duration loadTook = Duration.ofNanos(System.nanoTime() - start);
                boolean allLive = emulator.stats().of(ApiMethod.CALLS_ADD).ok() >= calls;
                if (!bridge.isAlive()) {
                    log.printf("memory: the bridge exited with %d after %.1f s; see %s%n", bridge.exitValue(),
                            loadTook.toMillis() / 1000.0, logFile);
                    return new Memory(calls, 0, 0, directorySize(stateDir), 0, 0, loadTook, false);
                }
                BenchWorld.sleep(Duration.ofSeconds(5));
                // A class histogram counts the live objects right after the full GC it runs: read from
                // /metrics a second later instead, the heap in use also held what the still busy bridge
                // had allocated meanwhile (55.7 to 203.6 MiB for the same code).
                Process histogram = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(bridge.pid()), "GC.class_histogram").redirectErrorStream(true).start();
                String classes = new String(histogram.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                histogram.waitFor(60, TimeUnit.SECONDS);
                String metrics = fetch("http://127.0.0.1:" + port + "/metrics");
                long heapUsed = histogramTotalBytes(classes)
                        .orElseGet(() -> sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""));
                long heapMax = sum(metrics, "jvm_memory_max_bytes", "area=\"heap\"");
                long rocksDb = sum(metrics, "kafka_stream_state_cur_size_all_mem_tables", "")
                        + sum(metrics, "kafka_stream_state_block_cache_usage", "")
                        + sum(metrics, "kafka_stream_state_estimate_table_readers_mem", "");
                long resident = residentBytes(bridge.pid());
                Memory memory = new Memory(calls, heapMax, heapUsed, directorySize(stateDir), rocksDb, resident,
                        loadTook, bridge.isAlive() && allLive);
                log.printf("memory: %,d live calls in %.1f s; heap %.1f of %.1f MiB after GC, RocksDB %.1f MiB on disk"
                                + " and %.1f MiB in memory, RSS %.1f MiB%n", calls, loadTook.toMillis() / 1000.0,
                        mib(heapUsed), mib(heapMax), mib(memory.rocksDbDiskBytes()), mib(rocksDb), mib(resident));
                return memory;
            } finally {
                bridge.destroy();
                if (!bridge.waitFor(60, TimeUnit.SECONDS)) {
                    bridge.destroyForcibly();
                }
            }
        }
    }

    /** The bytes of live objects in a {@code jcmd GC.class_histogram} listing: its {@code Total} line. */
    static OptionalLong histogramTotalBytes(String histogram) {
        Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
        return total.find() ? OptionalLong.of(Long.parseLong(total.group(1))) : OptionalLong.empty();
    }

    /** Sums a Prometheus metric's samples whose labels contain {@code labelPart}. */
    static long sum(String exposition, String name, String labelPart) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name) && (line.length() == name.length() || " {".indexOf(line.charAt(name.length())) >= 0)
                    && line.contains(labelPart)) {
                String value = line.substring(line.lastIndexOf(' ') + 1);
                try {
                    double parsed = Double.parseDouble(value);
                    if (parsed > 0 && !Double.isNaN(parsed) && !Double.isInfinite(parsed)) {
                        total += parsed;
                    }
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        }
        return (long) total;
    }

    private static String fetch(String url) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    static long directorySize(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
