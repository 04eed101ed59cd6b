package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.Economy;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.MethodCounts;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.DemoWorkspace;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Slack economy: the burst scenario for many calls at once, Slack requests per call by method. */
final class EconomyBench {

    private static final String PREFIX = "eco-";

    private final BenchWorld world;
    private final PrintStream log;

    EconomyBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    Economy run(int calls) {
        try (SlackEmulator slack = DemoWorkspace.emulator().rateLimits(RateLimits.unlimited()).build().start()) {
            EmulatorClient emulator = slack.client();
            BridgeService bridge = world.startBridge(world.bridgeEnvironment(PREFIX, slack, true));
            try {
                List<CallEvent> events = new ArrayList<>();
                for (int n = 0; n < calls; n++) {
                    events.addAll(BenchCalls.burst(PREFIX + "call-" + n, n));
                }
                log.printf("economy: %d calls, each a burst of %d events ...%n", calls, BenchCalls.BURST_EVENTS);
                world.send(world.topics(PREFIX).callEvents().name(), events);
                BenchWorld.await(Duration.ofMinutes(3), () -> {
                    world.assertNoDeadLetters(PREFIX);
                    return emulator.stats().of(ApiMethod.CALLS_END).ok() >= calls;
                },
                        "every burst call to end in Slack");
                Map<String, Double> perCall = new TreeMap<>();
                double withoutBlock = 0;
                for (Map.Entry<String, MethodCounts> method : emulator.stats().methods().entrySet()) {
                    double average = (double) method.getValue().requests() / calls;
                    if (average > 0) {
                        perCall.put(method.getKey(), average);
                        if (!method.getKey().equals(ApiMethod.CHAT_POST_MESSAGE.apiName())
                                && !method.getKey().equals(ApiMethod.AUTH_TEST.apiName())) {
                            withoutBlock += average;
                        }
                    }
                }
                log.printf("economy: %.2f requests per call besides the block post %s (one per event: %d)%n",
                        withoutBlock, perCall, BenchCalls.BURST_EVENTS);
                return new Economy(calls, BenchCalls.BURST_EVENTS, perCall, withoutBlock, BenchCalls.BURST_EVENTS);
            } finally {
                bridge.stop();
            }
        }
    }
}
