package dev.callbridge.devkit.bench;

import dev.callbridge.config.ConfigSource;
import dev.callbridge.devkit.bench.BenchReport.MethodUse;
import dev.callbridge.devkit.bench.BenchReport.RateLimitRun;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.MethodCounts;
import dev.callbridge.emulator.RateLimit;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.DemoWorkspace;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate limits: the emulator enforces a per-minute limit on the three methods a call needs (add,
 * block, end), the bridge is given the same budgets, and calls arrive at ten times that rate for a
 * few seconds. Measured: how much of each budget was used while the method had work waiting, the
 * share of requests answered 429, the time to drain, and whether every call still converged.
 */
final class RateLimitBench {

    private static final String PREFIX = "rl-";
    private static final List<ApiMethod> LIMITED =
            List.of(ApiMethod.CALLS_ADD, ApiMethod.CHAT_POST_MESSAGE, ApiMethod.CALLS_END);

    private final BenchWorld world;
    private final PrintStream log;

    RateLimitBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    /**
     * @param perMinute the emulator's limit and the bridge's budget for each limited method
     * @param overloadSeconds how long calls arrive at ten times the budget
     * @param burst the bridge's {@code slack.budget.burst}
     */
    RateLimitRun run(int perMinute, int overloadSeconds, int burst) {
        double overload = 10;
        int callsPerSecond = (int) Math.round(overload * perMinute / 60.0);
        int calls = callsPerSecond * overloadSeconds;
        Map<String, List<Instant>> received = new ConcurrentHashMap<>();
        RateLimits limits = RateLimits.unlimited();
        for (ApiMethod method : LIMITED) {
            limits = limits.with(method, RateLimit.perMinute(perMinute));
        }
        SlackEmulator.Builder builder = DemoWorkspace.emulator().rateLimits(limits)
                .requestListener((method, params, at) ->
                        received.computeIfAbsent(method, m -> Collections.synchronizedList(new ArrayList<>())).add(at));
        try (SlackEmulator slack = builder.build().start()) {
            EmulatorClient emulator = slack.client();
            Map<String, String> env = world.bridgeEnvironment(PREFIX, slack, true);
            for (ApiMethod method : LIMITED) {
                env.put(ConfigSource.envName("slack.budget." + method.apiName()), Integer.toString(perMinute));
            }
            env.put("BRIDGE_SLACK_BUDGET_BURST", Integer.toString(burst));
            BridgeService bridge = world.startBridge(env);
            try {
                String input = world.topics(PREFIX).callEvents().name();
                log.printf("rate limits: %d calls at %d a second, 10x the budget of %d a minute for %s ...%n",
                        calls, callsPerSecond, perMinute, LIMITED.stream().map(ApiMethod::apiName).toList());
                long start = System.nanoTime();
                for (int second = 0; second < overloadSeconds; second++) {
                    long secondStart = System.nanoTime();
                    for (int i = 0; i < callsPerSecond; i++) {
                        int n = second * callsPerSecond + i;
                        world.send(input, BenchCalls.startedAndEnded(PREFIX + "call-" + n, n));
                    }
                    BenchWorld.sleep(Duration.ofNanos(Math.max(0, 1_000_000_000L - (System.nanoTime() - secondStart))));
                }
                BenchWorld.await(Duration.ofMinutes(10), () -> emulator.stats().of(ApiMethod.CALLS_END).ok() >= calls,
                        "every overload call to end in Slack");
                Duration drain = Duration.ofNanos(System.nanoTime() - start);
                Instant first = received.values().stream().flatMap(List::stream).min(Instant::compareTo).orElseThrow();
                for (ApiMethod method : LIMITED) {
                    int[] buckets = new int[(int) (drain.toSeconds() / 5) + 2];
                    for (Instant at : new ArrayList<>(received.get(method.apiName()))) {
                        int b = (int) (Duration.between(first, at).toSeconds() / 5);
                        if (b >= 0 && b < buckets.length) {
                            buckets[b]++;
                        }
                    }
                    log.printf("rate limits: %s requests per 5 s: %s%n", method.apiName(), Arrays.toString(buckets));
                }
                EmulatorStats stats = emulator.stats();
                Map<String, MethodUse> byMethod = new TreeMap<>();
                long requests = 0;
                long limited = 0;
                for (ApiMethod method : LIMITED) {
                    MethodCounts counts = stats.of(method);
                    byMethod.put(method.apiName(), new MethodUse(perMinute, counts.ok(), counts.rateLimited(),
                            budgetUsed(received.get(method.apiName()), counts.ok(), perMinute)));
                }
                for (MethodCounts counts : stats.methods().values()) {
                    requests += counts.requests();
                    limited += counts.rateLimited();
                }
                long deadLetters = world.endOffset(world.topics(PREFIX).callOpsDeadLetters().name())
                        + world.endOffset(world.topics(PREFIX).callEventsDeadLetters().name());
                boolean nothingLost = stats.of(ApiMethod.CALLS_ADD).ok() == calls
                        && stats.of(ApiMethod.CHAT_POST_MESSAGE).ok() == calls
                        && stats.of(ApiMethod.CALLS_END).ok() == calls
                        && stats.duplicateCallsAdd() == 0 && deadLetters == 0;
                RateLimitRun run = new RateLimitRun(calls, overload, byMethod, (double) limited / requests, drain,
                        nothingLost, deadLetters);
                log.printf("rate limits: drained in %.1f s; %d of %d requests answered 429; budget used %s%n",
                        drain.toMillis() / 1000.0, limited, requests, byMethod);
                return run;
            } finally {
                bridge.stop();
            }
        }
    }

    /**
     * Accepted requests over what the budget allows between the method's first and last request: the
     * share of the budget used while the method had work waiting.
     */
    private static double budgetUsed(List<Instant> times, long accepted, int perMinute) {
        if (times == null || times.size() < 2) {
            return 0;
        }
        List<Instant> sorted;
        synchronized (times) {
            sorted = times.stream().sorted().toList();
        }
        double seconds = Duration.between(sorted.get(0), sorted.get(sorted.size() - 1)).toNanos() / 1e9;
        // n requests spaced evenly at the budget span n - 1 intervals.
        double allowed = seconds * perMinute / 60.0 + 1;
        return Math.min(accepted, sorted.size()) / allowed;
    }
}
