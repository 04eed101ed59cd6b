package dev.callbridge.devkit.bench;

import dev.callbridge.cli.BridgeCommand;
import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.ConfigSource;
import dev.callbridge.devkit.bench.BenchReport.GroupRateLimitRun;
import dev.callbridge.devkit.bench.BenchReport.MethodUse;
import dev.callbridge.devkit.bench.BenchReport.WorkspaceUse;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.MethodCounts;
import dev.callbridge.emulator.RateLimit;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.service.TopicProvisioner;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.Ports;
import dev.callbridge.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Rate limits across a consumer group: {@code bridge run} in three JVMs of their own, one application,
 * and calls of ten workspaces arriving at ten times each workspace's budget. The emulator limits
 * {@code calls.add}, {@code chat.postMessage} and {@code calls.end} per workspace as Slack does, and
 * every instance is given that same budget: Slack counts a workspace's requests from all instances
 * together, so the budget holds only if the group, not each instance, keeps to it. Measured per
 * workspace, from what the emulator received and answered: the share of the budget used while the
 * workspace had work waiting, and the share of requests answered 429.
 */
final class GroupRateLimitBench {

    private static final String PREFIX = "grl-";
    private static final List<ApiMethod> LIMITED =
            List.of(ApiMethod.CALLS_ADD, ApiMethod.CHAT_POST_MESSAGE, ApiMethod.CALLS_END);
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(30));

    private final BenchWorld world;
    private final PrintStream log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    GroupRateLimitBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    /** One Slack request as the emulator received it: the method and what names its workspace. */
    private record Received(String method, Map<String, String> params, Instant at) {}

    /**
     * @param instances {@code bridge run} processes in the group
     * @param workspaces workspaces the calls are spread over, each with its own token and channel
     * @param perMinute every instance's budget per workspace for each limited method
     * @param slackPerMinute what the emulator allows per workspace for each limited method, in windows of a minute
     * @param overloadSeconds how long each workspace's calls arrive at ten times its budget
     */
    GroupRateLimitRun run(int instances, int workspaces, int perMinute, int slackPerMinute, int overloadSeconds)
            throws IOException, InterruptedException {
        double overload = 10;
        int callsPerSecond = (int) Math.round(overload * perMinute / 60.0);
        int callsPerWorkspace = callsPerSecond * overloadSeconds;
        List<String> teams = new ArrayList<>();
        for (int w = 0; w < workspaces; w++) {
            teams.add(String.format(Locale.ROOT, "T0GRL%02d", w));
        }
        RateLimits limits = RateLimits.unlimited();
        for (ApiMethod method : LIMITED) {
            limits = limits.with(method, RateLimit.perMinute(slackPerMinute));
        }
        List<Received> received = Collections.synchronizedList(new ArrayList<>());
        SlackEmulator.Builder builder = DemoWorkspace.emulator().rateLimits(limits)
                .requestListener((method, params, at) -> received.add(new Received(method, params, at)));
        teams.forEach(team -> builder.token(token(team), team));

        Topics topics = world.topics(PREFIX);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                world.kafka.bootstrapServers()))) {
            new TopicProvisioner(admin).ensure(topics, BenchWorld.PARTITIONS, (short) 1,
                    BridgeConfig.defaults().recoveryRetention(), false);
        }
        world.awaitLeaders(topics.names());

        try (SlackEmulator slack = builder.build().start()) {
            EmulatorClient emulator = slack.client();
            Map<String, String> env = world.bridgeEnvironment(PREFIX, slack, true);
            for (ApiMethod method : LIMITED) {
                env.put(ConfigSource.envName("slack.budget." + method.apiName()), Integer.toString(perMinute));
            }
            env.put("BRIDGE_SLACK_BUDGET_BURST", "1");
            teams.forEach(team -> env.put("SLACK_TOKEN_" + team, token(team)));
            List<Process> bridges = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            try {
                for (int i = 0; i < instances; i++) {
                    int port = Ports.free();
                    ports.add(port);
                    bridges.add(launch(env, i, port));
                }
                log.printf("group rate limits: %d bridge run processes (logs in %s) ...%n", instances, world.workDir);
                BenchWorld.await(Duration.ofMinutes(3), () -> allReady(bridges, ports), "every instance to be ready");

                int calls = callsPerWorkspace * workspaces;
                Map<String, String> teamOfCall = new HashMap<>();
                log.printf("group rate limits: %d calls in %d workspaces, %d a second each, 10x the budget of %d a"
                                + " minute per workspace for %s; Slack allows %d a minute ...%n", calls, workspaces,
                        callsPerSecond, perMinute, LIMITED.stream().map(ApiMethod::apiName).toList(), slackPerMinute);
                long start = System.nanoTime();
                for (int second = 0; second < overloadSeconds; second++) {
                    long secondStart = System.nanoTime();
                    List<CallEvent> events = new ArrayList<>();
                    for (int i = 0; i < callsPerSecond; i++) {
                        for (String team : teams) {
                            int n = second * callsPerSecond + i;
                            String call = PREFIX + team + "-" + n;
                            teamOfCall.put(call, team);
                            events.addAll(startedAndEnded(call, team, n));
                        }
                    }
                    world.send(topics.callEvents().name(), events);
                    BenchWorld.sleep(Duration.ofNanos(Math.max(0, 1_000_000_000L - (System.nanoTime() - secondStart))));
                }
                BenchWorld.await(Duration.ofMinutes(15), () -> emulator.stats().of(ApiMethod.CALLS_END).ok() >= calls
                        || bridges.stream().anyMatch(bridge -> !bridge.isAlive()), "every overload call to end in Slack");
                Duration drain = Duration.ofNanos(System.nanoTime() - start);
                return measure(emulator, received, teams, teamOfCall, calls, callsPerWorkspace, overload, perMinute,
                        slackPerMinute, instances, drain);
            } finally {
                for (Process bridge : bridges) {
                    bridge.destroy();
                }
                for (Process bridge : bridges) {
                    if (!bridge.waitFor(60, TimeUnit.SECONDS)) {
                        bridge.destroyForcibly();
                    }
                }
            }
        }
    }

    private GroupRateLimitRun measure(EmulatorClient emulator, List<Received> received, List<String> teams,
            Map<String, String> teamOfCall, int calls, int callsPerWorkspace, double overload, int perMinute,
            int slackPerMinute, int instances, Duration drain) {
        EmulatorStats stats = emulator.stats();
        Map<String, String> teamOfSlackCall = new HashMap<>();
        for (CallSnapshot call : emulator.calls()) {
            teamOfSlackCall.put(call.id(), call.teamId());
        }
        Map<String, String> teamOfChannel = new HashMap<>();
        teams.forEach(team -> teamOfChannel.put(channel(team), team));
        // When each workspace's requests of each method reached Slack, 429s included.
        Map<String, Map<String, List<Instant>>> times = new HashMap<>();
        List<Received> all;
        synchronized (received) {
            all = new ArrayList<>(received);
        }
        for (Received request : all) {
            String team = switch (request.method()) {
                case "calls.add" -> teamOfCall.get(request.params().get("external_unique_id"));
                case "chat.postMessage" -> teamOfChannel.get(request.params().get("channel"));
                case "calls.end" -> teamOfSlackCall.get(request.params().get("id"));
                default -> null;
            };
            if (team != null) {
                times.computeIfAbsent(team, t -> new HashMap<>())
                        .computeIfAbsent(request.method(), m -> new ArrayList<>()).add(request.at());
            }
        }
        Map<String, WorkspaceUse> byWorkspace = new TreeMap<>();
        boolean everyCallShown = true;
        for (String team : teams) {
            Map<String, MethodUse> byMethod = new TreeMap<>();
            long requests = 0;
            long limited = 0;
            int peak = 0;
            for (ApiMethod method : LIMITED) {
                MethodCounts counts = stats.of(team, method);
                List<Instant> at = times.getOrDefault(team, Map.of()).getOrDefault(method.apiName(), List.of());
                byMethod.put(method.apiName(), new MethodUse(perMinute, counts.ok(), counts.rateLimited(),
                        budgetUsed(at, counts.ok(), perMinute)));
                peak = Math.max(peak, mostInAMinute(at));
                requests += counts.requests();
                limited += counts.rateLimited();
                everyCallShown &= counts.ok() == callsPerWorkspace;
            }
            double leastUsed = byMethod.values().stream().mapToDouble(MethodUse::budgetUsed).min().orElse(0);
            byWorkspace.put(team, new WorkspaceUse(byMethod, requests, limited,
                    requests == 0 ? 0 : (double) limited / requests, leastUsed, (double) peak / perMinute));
        }
        long deadLetters = world.endOffset(world.topics(PREFIX).callOpsDeadLetters().name())
                + world.endOffset(world.topics(PREFIX).callEventsDeadLetters().name());
        boolean nothingLost = everyCallShown && stats.duplicateCallsAdd() == 0 && deadLetters == 0;
        double leastUsed = byWorkspace.values().stream().mapToDouble(WorkspaceUse::budgetUsed).min().orElse(0);
        double most429 = byWorkspace.values().stream().mapToDouble(WorkspaceUse::share429).max().orElse(0);
        byWorkspace.forEach((team, use) -> log.printf(Locale.ROOT,
                "group rate limits: %s %d requests, %d answered 429 (%.1f %%), at most %.0f %% of the budget sent in"
                        + " a minute, budget used %s%n", team, use.requests(), use.answered429(), use.share429() * 100,
                use.mostSentInAMinute() * 100, use.byMethod().entrySet().stream()
                        .map(m -> String.format(Locale.ROOT, "%s %.1f %%", m.getKey(), m.getValue().budgetUsed() * 100))
                        .toList()));
        log.printf(Locale.ROOT, "group rate limits: drained in %.1f s; least budget used %.1f %%, most 429s %.2f %%, %s%n",
                drain.toMillis() / 1000.0, leastUsed * 100, most429 * 100, nothingLost ? "nothing lost" : "LOST");
        return new GroupRateLimitRun(instances, teams.size(), calls, overload, perMinute, slackPerMinute, byWorkspace,
                leastUsed, most429, drain, nothingLost, deadLetters);
    }

    /**
     * Accepted requests over what the budget allows between the first and last request: the share of
     * the budget used while the workspace had work waiting for the method.
     */
    static double budgetUsed(List<Instant> times, long accepted, int perMinute) {
        if (times.size() < 2) {
            return 0;
        }
        List<Instant> sorted = times.stream().sorted().toList();
        double seconds = Duration.between(sorted.get(0), sorted.get(sorted.size() - 1)).toNanos() / 1e9;
        // n requests spaced evenly at the budget span n - 1 intervals.
        double allowed = seconds * perMinute / 60.0 + 1;
        return Math.min(accepted, sorted.size()) / allowed;
    }

    /** The most requests sent within any 60 seconds, 429s included: what Slack's per-minute window sees. */
    static int mostInAMinute(List<Instant> times) {
        List<Instant> sorted = times.stream().sorted().toList();
        int most = 0;
        int first = 0;
        for (int last = 0; last < sorted.size(); last++) {
            while (!sorted.get(first).plusSeconds(60).isAfter(sorted.get(last))) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    /** A call of {@code team} that starts and ends at once: three requests there (add, block, end). */
    private static List<CallEvent> startedAndEnded(String id, String team, int n) {
        CallEvents call = CallEvents.sequenced(id, "pbx-bench", T0.plusMillis(n));
        return List.of(call.started(new CallEventData.Started("https://pbx.example/j/" + id, null, null, "Call " + n,
                        null, call.now().getEpochSecond(), channel(team), team,
                        List.of(Participant.slackUser("U" + Integer.toString(n, 36).toUpperCase(Locale.ROOT) + "A")))),
                call.after(Duration.ofSeconds(40)).ended());
    }

    private Process launch(Map<String, String> env, int instance, int port) throws IOException {
        Map<String, String> own = new HashMap<>(env);
        own.put("BRIDGE_INSTANCE_ID", PREFIX + "bench-" + instance);
        own.put("BRIDGE_HTTP_PORT", Integer.toString(port));
        own.put("BRIDGE_STATE_DIR", world.workDir.resolve(PREFIX + "state-" + instance).toString());
        Path logFile = world.workDir.resolve(PREFIX + "bridge-" + instance + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseG1GC", "-cp",
                System.getProperty("java.class.path"), BridgeCommand.class.getName(), "run");
        builder.environment().putAll(own);
        builder.redirectErrorStream(true).redirectOutput(logFile.toFile());
        return builder.start();
    }

    private boolean allReady(List<Process> bridges, List<Integer> ports) {
        for (int i = 0; i < bridges.size(); i++) {
            if (!bridges.get(i).isAlive()) {
                throw new IllegalStateException("bridge run " + i + " exited with " + bridges.get(i).exitValue()
                        + "; see " + world.workDir.resolve(PREFIX + "bridge-" + i + ".log") + " " + tail(i));
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + ports.get(i) + "/readyz")).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() != 200) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return true;
    }

    private String tail(int instance) {
        try {
            List<String> lines = Files.readAllLines(world.workDir.resolve(PREFIX + "bridge-" + instance + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static String token(String team) {
        return "xoxb-bench-" + team.toLowerCase(Locale.ROOT);
    }

    private static String channel(String team) {
        return "C0" + team;
    }

}
