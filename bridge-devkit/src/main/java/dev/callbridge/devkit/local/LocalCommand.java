package dev.callbridge.devkit.local;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.Installation;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.ingress.IngressConfig;
import dev.callbridge.ingress.IngressService;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.provider.emulator.ProviderEmulator;
import dev.callbridge.service.BridgeService;
import dev.callbridge.slackapp.SlackApp;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.EmbeddedKafka;
import dev.callbridge.testkit.TempDirs;
import io.micrometer.core.instrument.Counter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code local}: the one-command demo. Starts a real single-node KRaft broker on localhost, the Slack
 * emulator, the voice-AI platform emulator, the bridge (a Slack app with the End call button), the
 * bridge's ingress taking the platform's webhooks, a call board page and (unless told not to) a demo
 * traffic generator, prints where to look and a live summary, and on Ctrl-C stops everything and
 * deletes its temporary data.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run Kafka, the Slack and voice-AI platform emulators, the bridge, its ingress and demo traffic on this machine.")
public final class LocalCommand implements Callable<Integer> {

    /** The demo's Slack app, which "Add to Slack" on the call board installs into another workspace. */
    private static final EmulatedApp DEMO_APP = EmulatedApp.of("1000.2000", "local-demo-client-secret",
            "local-demo-signing-secret");
    /** The demo app's app-level token, with {@code --socket-mode}. */
    private static final String DEMO_APP_TOKEN = "xapp-1-A10002000-1-local-demo";
    /** The Slack user the call board clicks End call as: the one user the demo lets end calls. */
    static final String DEMO_USER = "U0DEMO";
    private static final String PROVIDER_API_KEY = "local-demo-provider-api-key";
    private static final String VOICE_AI_WEBHOOK_SECRET = "local-demo-voice-ai-webhook-secret";
    /** Where the ingress takes the voice-AI platform's webhooks. */
    private static final String VOICE_AI_WEBHOOKS_PATH = "/voice-ai/webhooks";

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka's port on localhost (default ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--slack-port", defaultValue = "8089", description = "The Slack emulator's port (default ${DEFAULT-VALUE}).")
    int slackPort;

    @Option(names = "--board-port", defaultValue = "8088", description = "The call board page's port (default ${DEFAULT-VALUE}).")
    int boardPort;

    @Option(names = "--http-port", defaultValue = "8080",
            description = "The bridge's /healthz, /readyz and /metrics port (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--provider-port", defaultValue = "8090",
            description = "The voice-AI platform emulator's port (default ${DEFAULT-VALUE}).")
    int providerPort;

    @Option(names = "--ingress-port", defaultValue = "8081",
            description = "The bridge ingress's port, where the platform's webhooks arrive (default ${DEFAULT-VALUE}).")
    int ingressPort;

    @Option(names = "--tiers", defaultValue = "slack",
            description = "Slack rate limits to emulate: slack (documented tiers), sdk (Tier 2) or unlimited (default ${DEFAULT-VALUE}).")
    String tiers;

    @Option(names = "--calls-per-minute", defaultValue = "12", description = "Demo calls started per minute (default ${DEFAULT-VALUE}).")
    double callsPerMinute;

    @Option(names = "--voice-ai-share", defaultValue = "0.25",
            description = "The share of demo calls dialled on the voice-AI platform rather than sent to Kafka (default ${DEFAULT-VALUE}).")
    double voiceAiShare;

    @Option(names = "--no-demo", description = "Start no demo traffic; produce your own events to telephony.call-events.")
    boolean noDemo;

    @Option(names = "--socket-mode",
            description = "The demo app takes its events (uninstalls) over Socket Mode instead of at the bridge's /slack/events.")
    boolean socketMode;

    @Option(names = "--summary-every", defaultValue = "3", description = "Seconds between summaries (default ${DEFAULT-VALUE}).")
    int summaryEvery;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        RateLimits limits = RateLimits.preset(tiers);
        Path workDir = Files.createTempDirectory("call-bridge-local-");
        EmbeddedKafka kafka = null;
        SlackEmulator slack = null;
        ProviderEmulator provider = null;
        BridgeService bridge = null;
        IngressService ingress = null;
        DemoTraffic traffic = null;
        CallBoard board = null;
        ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM halts once its shutdown hooks return: on Ctrl-C the hook waits for the clean-up below.
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "local-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.println("Starting Kafka on localhost:" + kafkaPort + " ...");
            kafka = new EmbeddedKafka(kafkaPort).start();
            SlackEmulator.Builder slackSettings = DemoWorkspace.emulator().port(slackPort).rateLimits(limits);
            if (socketMode) {
                slackSettings.app(DEMO_APP).appToken(DEMO_APP.clientId(), DEMO_APP_TOKEN);
            } else {
                slackSettings.app(DEMO_APP.withEventsUrl(bridgeUrl() + SlackApp.EVENTS_PATH));
            }
            slack = slackSettings.build().start();
            provider = ProviderEmulator.builder().port(providerPort).apiKey(PROVIDER_API_KEY)
                    .webhookSecret(VOICE_AI_WEBHOOK_SECRET).webhookUrl(ingressUrl() + VOICE_AI_WEBHOOKS_PATH).build().start();
            BridgeConfig config = BridgeConfig.load(bridgeEnvironment(kafka, slack, provider, workDir), null);
            bridge = new BridgeService(config).start();
            ingress = new IngressService(config.ingress()).start();
            // Over Socket Mode the emulator has nowhere to send clicks, so the board offers no End call button.
            String endCallsAs = socketMode ? null : DEMO_USER;
            board = new CallBoard(boardPort, slack.client(), bridgeUrl() + SlackApp.INSTALL_PATH, endCallsAs).start();
            if (!noDemo) {
                SlackEmulator emulator = slack;
                traffic = DemoTraffic.toBroker(kafka.bootstrapServers(), "telephony.call-events",
                        DemoTraffic.Settings.defaults().withCallsPerMinute(callsPerMinute).withVoiceAiShare(voiceAiShare))
                        .alsoIn(() -> installedWorkspaces(emulator))
                        .dialling(provider.client());
                traffic.start();
            }
            printWhereToLook(kafka, slack, provider, ingress, board, bridge, endCallsAs);
            DemoTraffic sending = traffic;
            BridgeService running = bridge;
            LiveSummary summary = new LiveSummary(slack.client(), provider.client(),
                    () -> sending == null ? new DemoTraffic.Counts(0, 0, 0, 0, 0, 0) : sending.counts(),
                    () -> deadLetters(running));
            printer.scheduleAtFixedRate(() -> printSummary(summary), summaryEvery, summaryEvery, TimeUnit.SECONDS);
            stop.await();
            out.println();
            out.println("Stopping ...");
            return 0;
        } finally {
            printer.shutdownNow();
            closeAll(traffic, board, provider, ingress, bridge, slack, kafka);
            TempDirs.deleteRecursively(workDir);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C brought us here: the hook is running and cannot be removed.
            }
            out.println("Stopped; temporary data removed.");
            stopped.countDown();
        }
    }

    /** The bridge's own address, where the browser and the emulator reach the Slack app. */
    private String bridgeUrl() {
        return "http://localhost:" + httpPort;
    }

    /** Where the ingress takes webhooks. */
    private String ingressUrl() {
        return "http://localhost:" + ingressPort;
    }

    /** The workspaces the demo app was installed in through "Add to Slack", besides the demo workspace. */
    private static List<String> installedWorkspaces(SlackEmulator slack) {
        return slack.client().installations().stream().map(Installation::teamId)
                .filter(team -> !team.equals(DemoWorkspace.TEAM)).distinct().toList();
    }

    /**
     * The demo's bridge and ingress: the default application id and topic names, so Kafka's tools find
     * them as documented; the demo workspace served by its configured token, with which the Slack app also
     * takes the clicks there, so the app needs no install in it; the voice-AI platform's API for the End
     * call button, which the demo user may press; the platform's webhooks at the ingress, its calls' join
     * links to the platform's view of them.
     */
    private Map<String, String> bridgeEnvironment(EmbeddedKafka kafka, SlackEmulator slack, ProviderEmulator provider,
            Path workDir) {
        BridgeSettings settings = BridgeSettings.of(kafka.bootstrapServers(), "", slack.baseUrl(), workDir.resolve("state"))
                .without("BRIDGE_APPLICATION_ID")
                .with("BRIDGE_INSTANCE_ID", "local")
                .with("BRIDGE_SLACK_DEFAULT_TEAM_ID", DemoWorkspace.TEAM)
                .with("BRIDGE_HTTP_PORT", Integer.toString(httpPort))
                .with("BRIDGE_KAFKA_STREAMS_COMMIT_INTERVAL_MS", "100")
                .with("BRIDGE_SLACK_APP_CLIENT_ID", DEMO_APP.clientId())
                .with("BRIDGE_SLACK_APP_CLIENT_SECRET", DEMO_APP.clientSecret())
                .with("BRIDGE_SLACK_APP_SIGNING_SECRET", DEMO_APP.signingSecret())
                .with("BRIDGE_SLACK_APP_ENCRYPTION_KEYS", TokenCipher.newKey("local"))
                .with("BRIDGE_SLACK_APP_AUTHORIZE_URL", slack.authorizeUrl())
                .with("BRIDGE_SLACK_APP_REDIRECT_URL", bridgeUrl() + SlackApp.CALLBACK_PATH)
                .with("BRIDGE_SLACK_APP_COMPLETION_URL", "http://localhost:" + boardPort + "/")
                .with("BRIDGE_PROVIDER_API_URL", provider.baseUrl())
                .with("BRIDGE_PROVIDER_API_KEY", PROVIDER_API_KEY)
                .with("BRIDGE_SLACK_APP_ENDCALL_USERS", DEMO_USER)
                .with("BRIDGE_INGRESS_HTTP_PORT", Integer.toString(ingressPort))
                .with("BRIDGE_INGRESS_PUBLIC_URL", ingressUrl())
                .with("BRIDGE_INGRESS_VOICEAI_WEBHOOK_SECRET", VOICE_AI_WEBHOOK_SECRET)
                .with("BRIDGE_INGRESS_VOICEAI_JOIN_URL_TEMPLATE",
                        provider.inspectionUrl() + "calls/" + IngressConfig.CALL_ID_PLACEHOLDER);
        if (socketMode) {
            settings.with("BRIDGE_SLACK_APP_SOCKET_MODE_TOKEN", DEMO_APP_TOKEN);
        }
        if (tiers.equals("unlimited")) {
            settings.unlimitedBudgets();
        } else if (tiers.equals("sdk")) {
            for (SlackMethod method : SlackMethod.values()) {
                if (method != SlackMethod.CHAT_POST_MESSAGE) {
                    settings.budget(method, 20);
                }
            }
        }
        return settings.variables();
    }

    private void printWhereToLook(EmbeddedKafka kafka, SlackEmulator slack, ProviderEmulator provider,
            IngressService ingress, CallBoard board, BridgeService bridge, String endCallsAs) {
        out.println();
        out.println("The call-lifecycle bridge is running locally.");
        out.println("  Kafka           " + kafka.bootstrapServers()
                + "   e.g. kcat -b " + kafka.bootstrapServers() + " -C -t slack.calls");
        out.println("  Slack emulator  " + slack.baseUrl() + "   inspect: " + slack.inspectionUrl() + "calls");
        out.println("  Voice AI        " + provider.baseUrl() + "   the platform emulator; inspect: "
                + provider.inspectionUrl() + "calls, end-requests, webhooks");
        out.println("  Ingress         " + ingressUrl() + VOICE_AI_WEBHOOKS_PATH
                + "   takes the platform's signed webhooks; /metrics on port " + ingress.httpPort());
        out.println("  Call board      " + board.url());
        out.println("  Bridge          http://localhost:" + bridge.httpPort() + "/metrics  /readyz  /healthz");
        out.println("  Add to Slack    " + bridgeUrl() + SlackApp.INSTALL_PATH
                + "   installs the demo app into another workspace; its calls then join the traffic");
        out.println(endCallsAs != null
                ? "  End call        the button under a live voice-AI call on the board clicks it in Slack as " + endCallsAs
                        + ", the one user allowed to end calls"
                : "  End call        the button shows in Slack only: the emulator sends no clicks over Socket Mode");
        if (socketMode) {
            out.println("  Socket Mode     the app's events come over the bridge's WebSocket connection: "
                    + slack.inspectionUrl() + "socket-mode/connections");
        }
        out.println(noDemo ? "  No demo traffic: produce CloudEvents to telephony.call-events, or start calls with POST "
                        + provider.inspectionUrl() + "calls"
                : "  Demo traffic    " + callsPerMinute + " calls a minute, " + Math.round(voiceAiShare * 100)
                        + " % of them on the voice-AI platform, with duplicates, reordering and bad records");
        out.println("Press Ctrl-C to stop and remove everything.");
        out.println();
    }

    private void printSummary(LiveSummary summary) {
        try {
            out.println(LiveSummary.format(summary.gather()));
            out.println();
        } catch (RuntimeException e) {
            out.println("(summary unavailable: " + e.getMessage() + ")");
        }
    }

    private static long deadLetters(BridgeService bridge) {
        return (long) bridge.metrics().registry().find("bridge.dead.letters").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                System.err.println("while stopping " + part.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

}
