package dev.callbridge.emulator;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.PathHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stateful stand-in for Slack's Web API: the Calls methods, {@code chat.postMessage} (in threads
 * too), {@code chat.update}, {@code conversations.replies} and {@code auth.test} under {@code /api/},
 * close enough that the official Slack SDK cannot tell it from Slack; for installable apps OAuth v2,
 * the Events API over HTTP or Socket Mode, and button clicks; and an inspection and control API under
 * {@code /_emulator/}.
 *
 * <pre>{@code
 * SlackEmulator slack = SlackEmulator.builder().token(TokenGrant.bot("xoxb-test", "T0001")).build().start();
 * slackConfig.setMethodsEndpointUrlPrefix(slack.baseUrl());
 * }</pre>
 */
public final class SlackEmulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlackEmulator.class);
    private static final String API_PATH = "/api";
    private static final String INSPECTION_PATH = "/_emulator";
    /** Far above any Slack argument; a body past it is refused rather than buffered. */
    private static final long MAX_BODY_BYTES = 2L * 1024 * 1024;

    static {
        // Undertow logs through jboss-logging, which would pick the log4j2 that Kafka brings along and
        // bypass the logback configuration; a provider chosen by the user is left alone.
        System.getProperties().putIfAbsent("org.jboss.logging.provider", "slf4j");
    }

    private final String host;
    private final Undertow server;
    private final EmulatorState state;
    private final RequestStats stats = new RequestStats();
    private final RateLimiter rateLimiter;
    private final FaultInjector faults;
    private final Tokens tokens;
    private final EventsApi events;
    private final SocketMode socketMode;
    private final Installations installations;
    private final Interactivity interactivity;
    private final List<EmulatedApp> apps;
    private int boundPort;
    private boolean running;
    private EmulatorClient client;

    private SlackEmulator(Builder builder) {
        Clock clock = Clock.systemUTC();
        this.host = builder.host;
        this.apps = List.copyOf(builder.apps);
        this.state = new EmulatorState(builder.tokens.stream().map(TokenGrant::teamId).collect(Collectors.toSet()));
        this.rateLimiter = new RateLimiter(builder.rateLimits, System::nanoTime);
        this.faults = new FaultInjector(builder.faults);
        this.tokens = new Tokens(builder.tokens, clock);
        this.socketMode = new SocketMode(apps, builder.appTokens, tokens, host, builder.socketModePort,
                builder.eventRetryDelays, builder.eventTimeout, builder.disconnectGrace, clock);
        this.events = new EventsApi(builder.eventRetryDelays, builder.eventTimeout, clock, socketMode);
        this.installations = new Installations(apps, tokens, state, events, clock);
        this.interactivity = new Interactivity(apps, state, clock, this::root);
        WebApiEndpoint api = new WebApiEndpoint(tokens, faults, rateLimiter,
                new WebApiMethods(state, builder.directory, installations, socketMode), stats, builder.listener);
        InspectionEndpoint inspection =
                new InspectionEndpoint(state, stats, faults, rateLimiter, installations, events, interactivity, this::reset);
        this.server = Undertow.builder()
                .addHttpListener(builder.port, host)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, MAX_BODY_BYTES)
                .setHandler(new PathHandler()
                        .addPrefixPath(API_PATH, api)
                        .addExactPath(AuthorizePage.PATH, new AuthorizePage(installations, state))
                        .addPrefixPath(Interactivity.RESPONSE_PATH, new ResponseUrlEndpoint(interactivity))
                        .addPrefixPath(INSPECTION_PATH, inspection)
                        .addPrefixPath(SocketModeControls.PATH, new SocketModeControls(socketMode)))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IllegalStateException if already running
     * @throws RuntimeException from Undertow when the port cannot be bound
     */
    public synchronized SlackEmulator start() {
        if (running) {
            throw new IllegalStateException("the Slack emulator is already running at " + baseUrl());
        }
        server.start();
        boundPort = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        try {
            socketMode.start();
        } catch (IllegalStateException e) {
            server.stop();
            throw e;
        }
        client = new EmulatorClient(inspectionUrl());
        running = true;
        LOG.info("Slack emulator serving {}", baseUrl());
        apps.forEach(app -> LOG.info("Slack emulator installs {} through {}", app, authorizeUrl()));
        return this;
    }

    public synchronized void stop() {
        if (running) {
            socketMode.stop();
            server.stop();
            running = false;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The port bound; meaningful once started (a requested port 0 becomes an ephemeral one). */
    public synchronized int port() {
        return boundPort;
    }

    /** The Web API prefix, ending in {@code /api/}: pass it to {@code SlackConfig#setMethodsEndpointUrlPrefix}. */
    public String baseUrl() {
        return root() + API_PATH + "/";
    }

    /**
     * The OAuth v2 authorize page, {@code https://slack.com/oauth/v2/authorize} on Slack: where the
     * "Add to Slack" link goes. Append {@code &team=T…} to its query to allow an install without the page.
     */
    public String authorizeUrl() {
        return root() + AuthorizePage.PATH;
    }

    /** The inspection and control API's prefix, ending in {@code /_emulator/}. */
    public String inspectionUrl() {
        return root() + INSPECTION_PATH + "/";
    }

    /**
     * The client for the inspection and control API.
     *
     * @throws IllegalStateException before the first start, when there is no address to call yet
     */
    public synchronized EmulatorClient client() {
        if (client == null) {
            throw new IllegalStateException("the Slack emulator has not been started");
        }
        return client;
    }

    private String root() {
        return "http://" + urlHost(host) + ":" + port();
    }

    /** How a URL names the bound {@code host}. */
    static String urlHost(String host) {
        // A wildcard bind is reachable on loopback; a URL naming the wildcard address would not be.
        String urlHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return urlHost.contains(":") ? "[" + urlHost + "]" : urlHost;
    }

    private void reset() {
        state.clear();
        stats.clear();
        rateLimiter.clear();
        faults.restart();
        installations.clear();
        tokens.reset();
        events.clear();
        interactivity.clear();
        socketMode.clear();
    }

    /** Settings of an emulator; every one has a default except the tokens and apps, of which it needs one. */
    public static final class Builder {

        private String host = "127.0.0.1";
        private int port = 0;
        private final List<TokenGrant> tokens = new ArrayList<>();
        private final List<EmulatedApp> apps = new ArrayList<>();
        private List<Duration> eventRetryDelays = EventsApi.DEFAULT_RETRY_DELAYS;
        private Duration eventTimeout = EventsApi.SLACK_TIMEOUT;
        private final Map<String, String> appTokens = new LinkedHashMap<>();
        private int socketModePort = 0;
        private Duration disconnectGrace = SocketMode.SLACK_DISCONNECT_GRACE;
        private RateLimits rateLimits = RateLimits.slack();
        private Faults faults = Faults.none();
        private Directory directory = Directory.defaults();
        private RequestListener listener = RequestListener.NONE;

        private Builder() {}

        /** The address to bind; loopback by default. */
        public Builder host(String newHost) {
            host = newHost;
            return this;
        }

        /** The port to bind; 0, the default, picks a free one. */
        public Builder port(int newPort) {
            if (newPort < 0 || newPort > 65535) {
                throw new IllegalArgumentException("port must be 0 (any free port) or a TCP port, was " + newPort);
            }
            port = newPort;
            return this;
        }

        public Builder token(TokenGrant grant) {
            tokens.add(grant);
            return this;
        }

        /** A bot token of {@code teamId} with every scope. */
        public Builder token(String token, String teamId) {
            return token(TokenGrant.bot(token, teamId));
        }

        /** A token of {@code teamId} that Slack has revoked: every request with it gets {@code token_revoked}. */
        public Builder revokedToken(String token, String teamId) {
            return token(TokenGrant.bot(token, teamId).asRevoked());
        }

        /** The budgets of every method; {@link RateLimits#slack()} by default. */
        public Builder rateLimits(RateLimits newRateLimits) {
            rateLimits = newRateLimits;
            return this;
        }

        /** Puts one method in a tier, keeping the other methods' budgets. */
        public Builder tier(ApiMethod method, Tier tier) {
            rateLimits = rateLimits.with(method, tier);
            return this;
        }

        public Builder rateLimit(ApiMethod method, RateLimit limit) {
            rateLimits = rateLimits.with(method, limit);
            return this;
        }

        /** The faults to inject; none by default. */
        public Builder faults(Faults newFaults) {
            faults = newFaults;
            return this;
        }

        /** Which users and channels exist; {@link Directory#defaults()} by default. */
        public Builder directory(Directory newDirectory) {
            directory = newDirectory;
            return this;
        }

        /** A Slack app that workspaces can install through the authorize page and {@code oauth.v2.access}. */
        public Builder app(EmulatedApp app) {
            apps.add(app);
            return this;
        }

        /**
         * An app-level token ({@code xapp-…}, with {@code connections:write}) of the app with
         * {@code clientId}, which puts the app in Socket Mode: its events go over the WebSocket
         * connections it opens with {@code apps.connections.open}, not to its events URL.
         */
        public Builder appToken(String clientId, String token) {
            appTokens.put(token, clientId);
            return this;
        }

        /** The port of the Socket Mode WebSocket server; 0, the default, picks a free one. */
        public Builder socketModePort(int newPort) {
            if (newPort < 0 || newPort > 65535) {
                throw new IllegalArgumentException("port must be 0 (any free port) or a TCP port, was " + newPort);
            }
            socketModePort = newPort;
            return this;
        }

        /** How long a Socket Mode connection asked to reconnect stays open; 10 seconds by default. */
        public Builder disconnectGrace(Duration grace) {
            disconnectGrace = grace;
            return this;
        }

        /**
         * The waits before the three retries of a failed Events API request or an unacknowledged
         * Socket Mode envelope; 1, 2 and 4 seconds by default, where Slack waits about nothing, a
         * minute and five minutes.
         */
        public Builder eventRetryDelays(Duration first, Duration second, Duration third) {
            eventRetryDelays = List.of(first, second, third);
            return this;
        }

        /**
         * How long an events URL may answer, or a Socket Mode envelope wait for its acknowledgement,
         * before it counts as {@code http_timeout}; 3 s, as Slack, by default.
         */
        public Builder eventTimeout(Duration timeout) {
            eventTimeout = timeout;
            return this;
        }

        /** Told of every request as it arrives, for measurements; none by default. */
        public Builder requestListener(RequestListener newListener) {
            listener = newListener;
            return this;
        }

        /**
         * @throws IllegalStateException without a token or an app: an emulator nobody can call is a mistake
         * @throws IllegalArgumentException when two apps share a client id or an app id, a retry
         *     delay, the events timeout or the disconnect grace is negative, or an app-level token is
         *     not one or names no app
         */
        public SlackEmulator build() {
            if (tokens.isEmpty() && apps.isEmpty()) {
                throw new IllegalStateException("the Slack emulator needs at least one token or app");
            }
            return new SlackEmulator(this);
        }
    }
}
