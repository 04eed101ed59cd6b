package dev.callbridge.provider.emulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stateful stand-in for a voice-AI platform: its end-call API ({@code POST /calls/end}) and call
 * details ({@code GET /calls/{call_id}}) behind a Bearer API key; signed {@code call_started},
 * {@code call_ended} and {@code call_analyzed} webhooks, or Twilio's signed status callbacks for a
 * Twilio-flavoured call; and an inspection and control API under {@code /_emulator/}.
 *
 * <pre>{@code
 * ProviderEmulator provider = ProviderEmulator.builder().apiKey("key").webhookSecret("secret")
 *         .webhookUrl("http://127.0.0.1:8081/voice-ai/webhooks").build().start();
 * CallSnapshot call = provider.client().start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));
 * }</pre>
 */
public final class ProviderEmulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderEmulator.class);
    private static final int THREADS = 8;

    private final String host;
    private final int requestedPort;
    private final Platform platform;
    private final Webhooks webhooks;
    private final String apiKey;
    private HttpServer server;
    private ExecutorService threads;
    private ProviderEmulatorClient client;

    private ProviderEmulator(Builder builder) {
        this.host = builder.host;
        this.requestedPort = builder.port;
        this.apiKey = builder.apiKey;
        AtomicReference<Faults> faults = new AtomicReference<>(builder.faults);
        AtomicReference<Targets> targets = new AtomicReference<>(builder.targets);
        ProviderState state = new ProviderState(builder.clock);
        this.webhooks = new Webhooks(builder.webhookSecret, builder.twilioAuthToken, builder.twilioAccountSid,
                builder.retryDelays, builder.webhookTimeout, builder.clock, faults::get, targets::get);
        this.platform = new Platform(state, webhooks, faults, targets);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IllegalStateException if already running
     * @throws UncheckedIOException when the port cannot be bound
     */
    public synchronized ProviderEmulator start() {
        if (server != null) {
            throw new IllegalStateException("the provider emulator is already running at " + baseUrl());
        }
        try {
            server = HttpServer.create(new InetSocketAddress(host, requestedPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + host + ":" + requestedPort, e);
        }
        threads = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "provider-emulator-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/calls", new ProviderApiEndpoint(platform, apiKey));
        server.createContext(InspectionEndpoint.PATH, new InspectionEndpoint(platform));
        server.start();
        client = new ProviderEmulatorClient(inspectionUrl());
        LOG.info("Provider emulator serving {}", baseUrl());
        return this;
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            threads.shutdownNow();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
        webhooks.close();
    }

    /** The port bound; meaningful once started (a requested port 0 becomes an ephemeral one). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the provider emulator is not running");
        }
        return server.getAddress().getPort();
    }

    /** The platform's API base URL, without a trailing slash: {@code POST <baseUrl>/calls/end}. */
    public String baseUrl() {
        // A wildcard bind is reachable on loopback; a URL naming the wildcard address would not be.
        String urlHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        if (urlHost.contains(":")) {
            urlHost = "[" + urlHost + "]";
        }
        return "http://" + urlHost + ":" + port();
    }

    /** The inspection and control API's prefix, ending in {@code /_emulator/}. */
    public String inspectionUrl() {
        return baseUrl() + InspectionEndpoint.PATH;
    }

    /**
     * The client for the inspection and control API.
     *
     * @throws IllegalStateException before the first start
     */
    public synchronized ProviderEmulatorClient client() {
        if (client == null) {
            throw new IllegalStateException("the provider emulator has not been started");
        }
        return client;
    }

    /** Settings of an emulator; the API key and webhook secret have no default. */
    public static final class Builder {

        private String host = "127.0.0.1";
        private int port = 0;
        private String apiKey;
        private String webhookSecret;
        private String twilioAuthToken = "emulated-twilio-auth-token";
        private String twilioAccountSid = "AC" + "0".repeat(31) + "1";
        private Targets targets = new Targets(null, null, Duration.ofSeconds(2).toMillis());
        private Faults faults = Faults.none();
        private List<Duration> retryDelays = Webhooks.DEFAULT_RETRY_DELAYS;
        private Duration webhookTimeout = Webhooks.DEFAULT_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The address to bind; loopback by default. */
        public Builder host(String newHost) {
            host = Objects.requireNonNull(newHost, "host");
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

        /** The key the API takes as {@code Authorization: Bearer <key>}. */
        public Builder apiKey(String key) {
            apiKey = key;
            return this;
        }

        /** The key of every webhook's {@code X-Provider-Signature}. */
        public Builder webhookSecret(String secret) {
            webhookSecret = secret;
            return this;
        }

        /** Where webhooks go; none are sent without one. */
        public Builder webhookUrl(String url) {
            targets = targets.withWebhookUrl(url);
            return this;
        }

        /** Where a Twilio-flavoured call's status callbacks go; none are sent without one. */
        public Builder twilioStatusCallbackUrl(String url) {
            targets = targets.withTwilioStatusCallbackUrl(url);
            return this;
        }

        /** The auth token that keys {@code X-Twilio-Signature}. */
        public Builder twilioAuthToken(String token) {
            twilioAuthToken = token;
            return this;
        }

        /** The {@code AccountSid} of the status callbacks. */
        public Builder twilioAccountSid(String accountSid) {
            if (accountSid == null || !accountSid.matches("AC[0-9a-f]{32}")) {
                throw new IllegalArgumentException("a Twilio account SID is AC and 32 hex digits, was '" + accountSid + "'");
            }
            twilioAccountSid = accountSid;
            return this;
        }

        /** How long after {@code call_ended} the analysis is sent; 2 s by default. */
        public Builder analysisDelay(Duration delay) {
            targets = targets.withAnalysisDelayMillis(delay.toMillis());
            return this;
        }

        public Builder faults(Faults newFaults) {
            faults = Objects.requireNonNull(newFaults, "faults");
            return this;
        }

        /** The waits before each retry of a failed webhook; 1, 2, 4 and 8 seconds by default. */
        public Builder webhookRetryDelays(List<Duration> delays) {
            retryDelays = List.copyOf(delays);
            return this;
        }

        /** How long a webhook's receiver may take to answer; 10 s by default. */
        public Builder webhookTimeout(Duration timeout) {
            webhookTimeout = timeout;
            return this;
        }

        public Builder clock(Clock newClock) {
            clock = Objects.requireNonNull(newClock, "clock");
            return this;
        }

        /** @throws IllegalStateException without an API key or a webhook secret */
        public ProviderEmulator build() {
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalStateException("the provider emulator needs an API key");
            }
            if (webhookSecret == null || webhookSecret.isBlank()) {
                throw new IllegalStateException("the provider emulator needs a webhook secret");
            }
            if (twilioAuthToken == null || twilioAuthToken.isBlank()) {
                throw new IllegalStateException("the provider emulator needs a Twilio auth token");
            }
            return new ProviderEmulator(this);
        }
    }
}
