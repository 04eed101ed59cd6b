package dev.callbridge.slackapp;

import com.slack.api.bolt.App;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.apps.connections.AppsConnectionsOpenResponse;
import com.slack.api.socket_mode.SocketModeClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Slack app's events over Socket Mode, for a bridge that Slack cannot reach: Bolt's
 * {@link SocketModeApp} on the SDK's Java-WebSocket backend connects out with the app-level token
 * and hands each envelope to the same Bolt app as {@code /slack/events} would; the SDK reconnects when
 * Slack asks it to or the connection drops. An envelope whose handler fails is not acknowledged, so
 * Slack sends it again.
 */
public final class SlackAppSocket implements AutoCloseable {

    /** How often the connection is checked for the gauge, and a first connection Slack did not answer is tried again. */
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    private static final Duration RECONNECT_AFTER = Duration.ofSeconds(10);
    /** Slack's answers that mean the token itself is wrong, as opposed to Slack having trouble. */
    private static final Set<String> REFUSALS = Set.of("not_authed", "invalid_auth", "not_allowed_token_type",
            "token_revoked", "token_expired", "account_inactive", "missing_scope", "no_permission");

    private static final Logger LOG = LoggerFactory.getLogger(SlackAppSocket.class);

    private final App app;
    private final String appToken;
    private final SocketModeApp socketMode;
    private final AtomicBoolean connected = new AtomicBoolean();
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "slack-app-socket");
        thread.setDaemon(true);
        return thread;
    });

    SlackAppSocket(App app, String appToken, MeterRegistry registry) {
        this.app = app;
        this.appToken = appToken;
        try {
            this.socketMode = new SocketModeApp(appToken, app, SocketModeClient.Backend.JavaWebSocket, context -> {
                // Left unacknowledged, the envelope comes again: the removal is retried by Slack.
                LOG.warn("A Slack app event over Socket Mode failed and is left for Slack to send again: {}",
                        context.getException().toString());
                return null;
            });
        } catch (IOException e) {
            // The constructor declares it but connects only when started.
            throw new IllegalStateException("cannot set up Socket Mode", e);
        }
        Gauge.builder("bridge.slack.app.socket.connected", connected, up -> up.get() ? 1 : 0)
                .description("1 while the Slack app's Socket Mode connection is open, else 0")
                .register(registry);
    }

    /**
     * Checks the token with Slack and connects; when Slack cannot be reached, keeps trying in the background.
     *
     * @throws TokenRefused when Slack refuses the app-level token
     */
    void start() {
        AppsConnectionsOpenResponse check;
        try {
            check = app.slack().methods().appsConnectionsOpen(request -> request.token(appToken));
        } catch (IOException | SlackApiException e) {
            LOG.warn("Slack's Socket Mode could not be reached ({}); trying again in {}", e.toString(), RECONNECT_AFTER);
            connector.schedule(this::connect, RECONNECT_AFTER.toMillis(), TimeUnit.MILLISECONDS);
            watch();
            return;
        }
        if (!check.isOk() && REFUSALS.contains(check.getError())) {
            throw new TokenRefused(check.getError());
        }
        connect();
        watch();
    }

    private void connect() {
        try {
            socketMode.startAsync();
            LOG.info("The Slack app takes its events over Socket Mode");
        } catch (Exception e) {
            // The SDK has logged why; its own reconnecting starts with the first connection.
            LOG.warn("Connecting to Slack's Socket Mode failed ({}); trying again in {}", e.toString(), RECONNECT_AFTER);
            connector.schedule(this::connect, RECONNECT_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void watch() {
        connector.scheduleWithFixedDelay(() -> {
            SocketModeClient client = socketMode.getClient();
            boolean open = client != null && client.verifyConnection();
            if (connected.getAndSet(open) != open) {
                LOG.info(open ? "The Slack app's Socket Mode connection is open"
                        : "The Slack app's Socket Mode connection is down; the SDK is reconnecting");
            }
        }, 0, CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Disconnects and stops the SDK's reconnecting and message threads. */
    @Override
    public void close() {
        connector.shutdownNow();
        SocketModeClient client = socketMode.getClient();
        try {
            socketMode.close();
            if (client != null) {
                client.close();
            }
        } catch (Exception e) {
            LOG.debug("Closing the Socket Mode connection failed", e);
        }
        connected.set(false);
    }

    /** Slack refused the app-level token: a configuration error, which no retry mends. */
    public static final class TokenRefused extends RuntimeException {

        TokenRefused(String error) {
            super("Slack refused the app-level token: " + error);
        }
    }
}
