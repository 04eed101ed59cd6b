package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.Latency;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.DemoWorkspace;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unloaded latency: one {@code call.started} at a time, a pause between them, and for each the time
 * from the event's produce timestamp to the moment its {@code calls.add} reached the emulator.
 */
final class LatencyBench {

    private static final String PREFIX = "lat-";
    private static final Duration PAUSE = Duration.ofMillis(100);
    private static final int WARM_UP = 20;

    private final BenchWorld world;
    private final PrintStream log;

    LatencyBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    Latency run(int samples) {
        Map<String, Instant> addReceived = new ConcurrentHashMap<>();
        SlackEmulator.Builder emulator = DemoWorkspace.emulator().rateLimits(RateLimits.unlimited())
                .requestListener((method, params, receivedAt) -> {
                    if (method.equals("calls.add") && params.containsKey("external_unique_id")) {
                        addReceived.putIfAbsent(params.get("external_unique_id"), receivedAt);
                    }
                });
        try (SlackEmulator slack = emulator.build().start()) {
            BridgeService bridge = world.startBridge(world.bridgeEnvironment(PREFIX, slack, true));
            try {
                String input = world.topics(PREFIX).callEvents().name();
                log.printf("latency: %d calls started one at a time, %d ms apart (after %d to warm up) ...%n",
                        samples, PAUSE.toMillis(), WARM_UP);
                List<Double> millis = new ArrayList<>(samples);
                for (int n = 0; n < WARM_UP + samples; n++) {
                    String call = PREFIX + "call-" + n;
                    long producedAt = world.sendOne(input, BenchCalls.started(call, n));
                    BenchWorld.await(Duration.ofSeconds(30), () -> addReceived.containsKey(call),
                            "calls.add of " + call);
                    if (n >= WARM_UP) {
                        millis.add(Duration.between(Instant.ofEpochMilli(producedAt), addReceived.get(call))
                                .toNanos() / 1e6);
                    }
                    BenchWorld.sleep(PAUSE);
                }
                List<Double> sorted = millis.stream().sorted().toList();
                Latency latency = new Latency(samples, percentile(sorted, 50), percentile(sorted, 95),
                        percentile(sorted, 99), sorted.get(sorted.size() - 1), millis);
                log.printf("latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n", latency.p50Millis(),
                        latency.p95Millis(), latency.p99Millis(), latency.maxMillis());
                return latency;
            } finally {
                bridge.stop();
            }
        }
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
