package dev.callbridge.devkit.bench;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.devkit.bench.BenchReport.Profile;
import dev.callbridge.devkit.bench.BenchReport.SlackRun;
import dev.callbridge.devkit.bench.BenchReport.Throughput;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.service.BridgeService;
import dev.callbridge.service.TopicProvisioner;
import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.topics.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Throughput against its ceilings, in one run: an input pre-loaded with the traffic of many calls over
 * many workspaces (SPEC §9's burst for each call, duplicates among the events) is read by the bridge,
 * then by a {@link NaiveBridge} sending one Slack request per event, on the same broker and emulator;
 * then the requests the bridge sent are sent again by the {@link SlackAlone Slack side alone}, with no
 * Kafka. Each is timed by the emulator, from its first request to its last. A smaller round goes first
 * and is not reported: every part runs in this one JVM, and without it the measured round spends much
 * of its time compiling the broker's, the bridge's and the emulator's code rather than running it.
 */
final class ThroughputBench {

    private static final String PREFIX = "tp-";
    private static final String WARMUP_PREFIX = "tpw-";
    private static final String PROFILE_PREFIX = "tpp-";
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    /** Longest wait for the JIT compilers to go quiet before each system's measured run. */
    private static final Duration COMPILERS_QUIET = Duration.ofSeconds(30);

    private final BenchWorld world;
    private final PrintStream log;

    ThroughputBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    /**
     * @param profile where to write a flight recording of one more run of the bridge on the same traffic,
     *     after the measured ones, so that the recording's cost is not in the figures; {@code null} for none
     */
    Throughput run(int calls, int warmupCalls, int workspaceCount, Path profile) throws Exception {
        BenchWorkspaces workspaces = new BenchWorkspaces(workspaceCount);
        RequestLog requests = new RequestLog();
        try (SlackEmulator slack = workspaces.emulator().requestListener(requests).build().start()) {
            if (warmupCalls > 0) {
                log.printf("throughput: warming up with %,d calls (not reported) ...%n", warmupCalls);
                round(WARMUP_PREFIX, warmupCalls, workspaces, slack, requests, false);
            }
            Throughput measured = round(PREFIX, calls, workspaces, slack, requests, true);
            if (profile == null) {
                return measured;
            }
            Input input = preload(PROFILE_PREFIX, calls, workspaces, slack);
            log.printf("throughput: the bridge once more, recorded into %s (not reported) ...%n", profile);
            settle(true);
            Profile recorded;
            SlackRun run;
            try (BridgeProfile recording = BridgeProfile.start(profile)) {
                run = runBridge(input, slack, requests);
                recorded = recording.finish(run.requestsPerSecond());
            }
            log.printf(Locale.ROOT, "throughput: recorded, the bridge sent %,.0f requests/s (%,.0f measured); CPU "
                    + "samples by thread: %s%n", run.requestsPerSecond(), measured.bridge().requestsPerSecond(),
                    recorded.byThread().stream()
                            .map(share -> String.format(Locale.ROOT, "%s %.0f %%", share.what(), share.share() * 100))
                            .toList());
            return new Throughput(measured.calls(), measured.events(), measured.workspaces(), measured.partitions(),
                    measured.concurrency(), measured.bridge(), measured.naive(), measured.slackAlone(),
                    measured.bridgeShareOfSlackAlone(), measured.bridgeCallsOverNaive(),
                    measured.bridgeRequestsOverNaive(), measured.bridgeRequestsOverNaiveWithoutBlocks(), recorded);
        }
    }

    /** A round's input topic, pre-loaded, and the settings of the bridge that reads it. */
    private record Input(String prefix, Topics topics, String topic, long records, int calls, Map<String, String> env,
            BridgeConfig config) {}

    private Input preload(String prefix, int calls, BenchWorkspaces workspaces, SlackEmulator slack) {
        Topics topics = world.topics(prefix);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                world.kafka.bootstrapServers()))) {
            new TopicProvisioner(admin).ensure(topics, BenchWorld.PARTITIONS, (short) 1,
                    BridgeConfig.defaults().recoveryRetention(), false);
        }
        world.awaitLeaders(topics.names());
        String input = topics.callEvents().name();
        List<CallEvent> events = BenchCalls.traffic(prefix + "call-", calls, workspaces);
        log.printf("throughput: pre-loading %,d events of %,d calls over %,d workspaces ...%n", events.size(), calls,
                workspaces.count());
        world.send(input, events);
        long total = world.endOffset(input);
        if (total != events.size()) {
            throw new IllegalStateException("the input holds " + total + " records, " + events.size() + " were sent");
        }
        Map<String, String> env = world.bridgeEnvironment(prefix, slack, true);
        env.putAll(workspaces.tokenVariables());
        return new Input(prefix, topics, input, total, calls, env, BridgeConfig.load(env, null));
    }

    /** The bridge reads the input until Slack shows every call ended. */
    private SlackRun runBridge(Input input, SlackEmulator slack, RequestLog requests) {
        EmulatorClient emulator = slack.client();
        emulator.reset();
        requests.start();
        BridgeService bridge = world.startBridge(input.env());
        try {
            awaitDone("the bridge", input.calls(), requests, emulator, () -> {
                world.assertNoDeadLetters(input.prefix());
                return world.committed(input.config().applicationId(), input.topic()) >= input.records();
            });
        } finally {
            bridge.stop();
        }
        return finish("the bridge", requests, emulator);
    }

    private Throughput round(String prefix, int calls, BenchWorkspaces workspaces, SlackEmulator slack,
            RequestLog requests, boolean measured) throws Exception {
        Input in = preload(prefix, calls, workspaces, slack);
        Topics topics = in.topics();
        String input = in.topic();
        long total = in.records();
        BridgeConfig config = in.config();
        EmulatorClient emulator = slack.client();

        log.println("throughput: the bridge ...");
        settle(measured);
        SlackRun bridgeRun = runBridge(in, slack, requests);

        log.println("throughput: the naive consumer, one Slack request per event ...");
        settle(measured);
        emulator.reset();
        requests.start();
        String naiveGroup = prefix + "naive";
        try (SdkSlackClient client = client(config);
                NaiveBridge naive = new NaiveBridge(world.kafka.bootstrapServers(), naiveGroup, input, client,
                        config.dispatchConcurrency(), DemoWorkspace.CHANNEL, DemoWorkspace.CREATOR).start()) {
            awaitDone("the naive consumer", calls, requests, emulator, () -> {
                naive.assertRunning();
                return world.committed(naiveGroup, input) >= total;
            });
            if (naive.skipped() > 0) {
                throw new IllegalStateException("the naive consumer read " + naive.skipped()
                        + " events of calls it had not seen start");
            }
        }
        SlackRun naiveRun = finish("the naive consumer", requests, emulator);

        List<CallOp> ops = operations(topics);
        log.printf("throughput: the Slack side alone, the bridge's %,d operations on %d threads ...%n", ops.size(),
                config.dispatchConcurrency());
        settle(measured);
        emulator.reset();
        requests.start();
        long failed;
        try (SdkSlackClient client = client(config)) {
            failed = SlackAlone.send(ops, client, config.dispatchConcurrency());
        }
        if (failed > 0) {
            throw new IllegalStateException(failed + " of the bridge's operations failed when sent again on their own");
        }
        SlackRun slackAlone = finish("the Slack side alone", requests, emulator);

        return new Throughput(calls, total, workspaces.count(), BenchWorld.PARTITIONS, config.dispatchConcurrency(),
                bridgeRun, naiveRun, slackAlone,
                bridgeRun.requestsPerSecond() / slackAlone.requestsPerSecond(),
                bridgeRun.callsPerSecond() / naiveRun.callsPerSecond(),
                (double) bridgeRun.requests() / naiveRun.requests(),
                (double) withoutBlocks(bridgeRun) / withoutBlocks(naiveRun), null);
    }

    /**
     * Before a measured run, lets the JIT compilers finish what the runs before queued: with the broker,
     * the emulator and the bridge in one JVM they have minutes of work, which a run would otherwise share
     * the cores with.
     */
    private void settle(boolean measured) {
        if (measured) {
            Duration waited = MachineCpu.awaitCompilersQuiet(COMPILERS_QUIET);
            log.printf(Locale.ROOT, "throughput: waited %.1f s for the JIT compilers to go quiet%n",
                    waited.toNanos() / 1e9);
        }
    }

    private static long withoutBlocks(SlackRun run) {
        return run.requests() - run.requestsByMethod().getOrDefault(ApiMethod.CHAT_POST_MESSAGE.apiName(), 0L);
    }

    /** The Slack client as {@code bridge run} makes it from these settings. */
    private static SdkSlackClient client(BridgeConfig config) {
        return new SdkSlackClient(config.slackBaseUrl(), config.tokens(), config.slackTimeout(),
                config.dispatchConcurrency());
    }

    /** Every operation the bridge's topology issued, each call's in their order. */
    private List<CallOp> operations(Topics topics) {
        Deserializer<CallOp> ops = topics.callOps().valueSerde().deserializer();
        String topic = topics.callOps().name();
        return CommittedRecords.readAll(world.kafka.bootstrapServers(), topic).stream()
                .map(record -> ops.deserialize(topic, record.value()))
                .filter(Objects::nonNull)
                .toList();
    }

    /**
     * Waits until Slack shows every call ended and {@code caughtUp} holds. The emulator's counts (a large
     * answer with 1,000 workspaces) are asked for only once every call was asked to end: polled all
     * along, the polling thread had 12 % of the CPU samples in a recorded run of the bridge.
     */
    private static void awaitDone(String who, int calls, RequestLog requests, EmulatorClient emulator,
            BooleanSupplier caughtUp) {
        BenchWorld.await(TIMEOUT, () -> requests.callsAskedToEnd() >= calls, who + " to ask Slack to end every call");
        BenchWorld.await(TIMEOUT, () -> emulator.stats().of(ApiMethod.CALLS_END).ok() >= calls && caughtUp.getAsBoolean(),
                who + " to end every call in Slack");
    }

    private SlackRun finish(String who, RequestLog requests, EmulatorClient emulator) {
        SlackRun run = requests.finish(emulator.stats());
        log.printf(Locale.ROOT, "throughput: %s: %,d Slack requests in %.1f s, %,.0f requests/s, %,.1f calls "
                        + "completed/s %s; cores used by this JVM %.2f (its JIT compilers %.2f, "
                        + "busy %.2f by the clock), by other processes %.2f, stolen %.2f%n",
                who, run.requests(), run.took().toNanos() / 1e9, run.requestsPerSecond(), run.callsPerSecond(),
                run.requestsByMethod(), run.cpu().jvmCores(), run.cpu().jitCores(), run.cpu().jitThreadsBusy(),
                run.cpu().otherCores(),
                run.cpu().stolenCores());
        if (run.answered429() > 0) {
            log.printf("throughput: %s: %,d requests answered 429: the emulator's limits capped the run%n", who,
                    run.answered429());
        }
        return run;
    }
}
