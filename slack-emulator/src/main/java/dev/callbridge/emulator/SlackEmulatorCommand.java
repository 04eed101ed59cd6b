package dev.callbridge.emulator;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code slack-emulator}: runs the Slack Web API emulator on its own until interrupted. */
@Command(
        name = "slack-emulator",
        mixinStandardHelpOptions = true,
        description = {
            "Serves Slack's Calls API, chat.postMessage (threads and metadata included),",
            "chat.update, conversations.replies, auth.test, auth.revoke and",
            "oauth.v2.access under /api/; for an app (--app-*), the OAuth authorize page",
            "at /oauth/v2/authorize, Events API requests and button clicks to the app, or with",
            "--app-token apps.connections.open and its events over Socket Mode;",
            "and an inspection and control API under /_emulator/.",
            "Prints the Web API base URL (for SlackConfig#setMethodsEndpointUrlPrefix) and runs until interrupted."
        })
public final class SlackEmulatorCommand implements Callable<Integer> {

    static final String DEFAULT_TOKEN = "xoxb-emulator@T0EMULATOR";

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = "--port", defaultValue = "8089",
            description = "Port to listen on; 0 for any free port (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--token", paramLabel = "TOKEN@TEAM_ID[:SCOPE,...]",
            description = "A bot token to accept, its workspace, and its scopes (default: all). Repeatable. "
                    + "Without any: " + DEFAULT_TOKEN + ".")
    private List<String> tokens = new ArrayList<>();

    @Option(names = "--revoked-token", paramLabel = "TOKEN@TEAM_ID",
            description = "A token answered with token_revoked. Repeatable.")
    private List<String> revokedTokens = new ArrayList<>();

    @Option(names = "--tiers", defaultValue = "slack",
            description = "Rate-limit preset: " + RateLimits.PRESETS + " (default: ${DEFAULT-VALUE}).")
    private String tiers;

    @Option(names = "--unknown-user", paramLabel = "SLACK_ID",
            description = "A user id to answer with user_not_found, besides ids starting with "
                    + Directory.UNKNOWN_USER_PREFIX + ". Repeatable.")
    private List<String> unknownUsers = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of the fault sequence (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--fault-429-rate", defaultValue = "0", description = "Share of requests starting a burst of 429s.")
    private double rateLimitBurstRate;

    @Option(names = "--fault-429-burst", defaultValue = "3",
            description = "Requests per 429 burst (default: ${DEFAULT-VALUE}).")
    private int rateLimitBurstLength;

    @Option(names = "--fault-retry-after", defaultValue = "1",
            description = "Retry-After of burst 429s, seconds (default: ${DEFAULT-VALUE}).")
    private int rateLimitRetryAfterSeconds;

    @Option(names = "--fault-5xx-rate", defaultValue = "0", description = "Share of requests answered HTTP 503.")
    private double serverErrorRate;

    @Option(names = "--fault-slow-rate", defaultValue = "0", description = "Share of requests answered late.")
    private double slowRate;

    @Option(names = "--fault-slow-ms", defaultValue = "5000",
            description = "Delay of a late answer, ms (default: ${DEFAULT-VALUE}).")
    private long slowMillis;

    @Option(names = "--fault-drop-rate", defaultValue = "0",
            description = "Share of requests whose connection is closed unanswered.")
    private double dropRate;

    @Option(names = "--drop-before-apply",
            description = "Drop connections before applying the request (default: after, so a retry repeats it).")
    private boolean dropBeforeApply;

    @Option(names = "--app-client-id", paramLabel = "CLIENT_ID",
            description = "The client id of a Slack app that workspaces can install through OAuth v2; "
                    + "needs --app-client-secret and --app-signing-secret.")
    private String appClientId;

    @Option(names = "--app-client-secret", paramLabel = "SECRET", description = "The app's client secret.")
    private String appClientSecret;

    @Option(names = "--app-signing-secret", paramLabel = "SECRET",
            description = "The secret the app's Events API requests are signed with.")
    private String appSigningSecret;

    @Option(names = "--app-events-url", paramLabel = "URL",
            description = "Where the app's Events API requests go (default: nowhere, no events).")
    private String appEventsUrl;

    @Option(names = "--app-interactivity-url", paramLabel = "URL",
            description = "Where clicks on the app's buttons go (default: the events URL).")
    private String appInteractivityUrl;

    @Option(names = "--app-token-lifetime", paramLabel = "DURATION", arity = "0..1", fallbackValue = "PT12H",
            description = "Turns token rotation on: access tokens expire after DURATION (ISO-8601, e.g. PT30S; "
                    + "alone: ${FALLBACK-VALUE}, as Slack). Default: off, tokens never expire.")
    private Duration appTokenLifetime;

    @Option(names = "--app-token", paramLabel = "XAPP_TOKEN",
            description = "An app-level token (xapp-...) of the app: the app is in Socket Mode, its events go over "
                    + "the WebSocket connections it opens with apps.connections.open instead of to its events URL.")
    private String appToken;

    @Option(names = "--socket-mode-port", defaultValue = "0",
            description = "Port of the Socket Mode WebSocket server; 0 for any free port (default: ${DEFAULT-VALUE}).")
    private int socketModePort;

    @Option(names = "--app-scopes", paramLabel = "SCOPE", split = ",",
            description = "The scopes an install of the app may grant (default: all the emulated methods check).")
    private Set<String> appScopes = new TreeSet<>();

    @Option(names = "--request-log", paramLabel = "FILE",
            description = "Write one JSON line per Web API request to FILE as it arrives: epoch milliseconds, the"
                    + " method and the parameters naming the call, channel or thread (no users, texts or tokens).")
    private Path requestLog;

    private RequestLogFile log;

    public static void main(String[] args) {
        // Run on its own, the emulator logs as its jar configures; embedded, it leaves logging to its host.
        System.getProperties().putIfAbsent("logback.configurationFile", "dev/callbridge/emulator/logback.xml");
        System.exit(new CommandLine(new SlackEmulatorCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        SlackEmulator emulator = emulator().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.stop();
            if (log != null) {
                log.close();
            }
            stopped.countDown();
        }, "slack-emulator-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println(emulator.baseUrl());
        out.println("inspection API: " + emulator.inspectionUrl());
        if (appClientId != null) {
            out.println("authorize page: " + emulator.authorizeUrl());
        }
        out.flush();
        stopped.await();
        return 0;
    }

    /** The emulator these options describe, not yet started; with {@code --request-log}, the log is opened. */
    SlackEmulator emulator() {
        try {
            if (requestLog != null && log == null) {
                log = new RequestLogFile(requestLog);
            }
            SlackEmulator.Builder builder = SlackEmulator.builder()
                    .requestListener(log == null ? RequestListener.NONE : log)
                    .host(host)
                    .port(port)
                    .rateLimits(RateLimits.preset(tiers))
                    .directory(Directory.defaults().withUnknownUsers(unknownUsers.toArray(String[]::new)))
                    .faults(new Faults(seed, rateLimitBurstRate, rateLimitBurstLength, rateLimitRetryAfterSeconds,
                            serverErrorRate, slowRate, slowMillis, dropRate, !dropBeforeApply));
            Optional<EmulatedApp> app = app();
            app.ifPresent(builder::app);
            builder.socketModePort(socketModePort);
            if (appToken != null) {
                // app() is present: --app-token is one of the app's options.
                builder.appToken(app.orElseThrow().clientId(), appToken);
            }
            // The default token stands in for an app's installs only when there is no app.
            (tokens.isEmpty() && app.isEmpty() ? List.of(DEFAULT_TOKEN) : tokens)
                    .forEach(t -> builder.token(TokenGrant.parse(t)));
            revokedTokens.forEach(t -> builder.token(TokenGrant.parse(t).asRevoked()));
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The app the {@code --app-*} options describe, if any; the three credentials go together. */
    private Optional<EmulatedApp> app() {
        boolean anyAppOption = appClientId != null || appClientSecret != null || appSigningSecret != null
                || appEventsUrl != null || appInteractivityUrl != null || appTokenLifetime != null
                || !appScopes.isEmpty() || appToken != null;
        if (!anyAppOption) {
            return Optional.empty();
        }
        if (appClientId == null || appClientSecret == null || appSigningSecret == null) {
            throw new IllegalArgumentException(
                    "an app needs all of --app-client-id, --app-client-secret and --app-signing-secret");
        }
        return Optional.of(new EmulatedApp(appClientId, appClientSecret, appSigningSecret, appEventsUrl,
                appTokenLifetime, appScopes.isEmpty() ? Scopes.ALL : appScopes, appInteractivityUrl));
    }
}
