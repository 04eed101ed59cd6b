package dev.callbridge.slackapp;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.service.InstallationService;
import com.slack.api.bolt.util.QueryStringParser;
import com.slack.api.bolt.util.SlackRequestParser;
import com.slack.api.model.event.AppUninstalledEvent;
import com.slack.api.model.event.TokensRevokedEvent;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge as a Slack app, on Bolt for Java behind the bridge's own HTTP server: "Add to Slack"
 * ({@code /slack/install}), the OAuth v2 callback ({@code /slack/oauth/callback}) that stores the
 * installation, and the Events API ({@code /slack/events}, signatures checked) where an uninstall or
 * a revocation removes it, and where the End call button's clicks arrive. With an app-level token the
 * events and clicks come over Socket Mode instead ({@link SlackAppSocket}), and {@code /slack/events}
 * is not served.
 */
public final class SlackApp implements AutoCloseable {

    public static final String INSTALL_PATH = "/slack/install";
    public static final String CALLBACK_PATH = "/slack/oauth/callback";
    public static final String EVENTS_PATH = "/slack/events";
    /** Bodies larger than Slack ever sends are refused once this much is read. */
    private static final int MAX_BODY_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(SlackApp.class);

    /** Requests Slack's side may make at once; more wait in line, and beyond that are answered 503. */
    private static final int HANDLERS = 4;
    private static final int WAITING = 64;

    private final App app;
    /**
     * The Slack routes' own threads: an install waits on Slack and Kafka, and a slow or hostile client
     * on a public path must not hold the threads that answer the health probes.
     */
    private final ThreadPoolExecutor handlers = new ThreadPoolExecutor(HANDLERS, HANDLERS, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(WAITING), runnable -> {
                Thread thread = new Thread(runnable, "slack-app");
                thread.setDaemon(true);
                return thread;
            });
    private final SlackRequestParser parser;
    private final MeterRegistry registry;
    private EndCallButton endCall;
    /** {@code null} when the events come to {@code /slack/events}. */
    private final SlackAppSocket socket;

    /**
     * @param slackApiUrl the Web API base URL ({@code https://slack.com/api/} or the emulator's), where
     *     the OAuth code is exchanged for tokens
     */
    public SlackApp(SlackAppConfig config, String slackApiUrl, Duration timeout, InstallationService installations,
            MeterRegistry registry, Clock clock) {
        this.registry = registry;
        SlackConfig slackConfig = new SlackConfig();
        slackConfig.setMethodsEndpointUrlPrefix(slackApiUrl.endsWith("/") ? slackApiUrl : slackApiUrl + "/");
        slackConfig.setPrettyResponseLoggingEnabled(false);
        slackConfig.setStatsEnabled(false);
        slackConfig.setHttpClientCallTimeoutMillis(Math.toIntExact(timeout.toMillis()));
        slackConfig.setHttpClientReadTimeoutMillis(Math.toIntExact(timeout.toMillis()));
        AppConfig appConfig = AppConfig.builder()
                .slack(Slack.getInstance(slackConfig))
                .clientId(config.clientId())
                .clientSecret(config.clientSecret())
                .signingSecret(config.signingSecret())
                .scope(config.scopes())
                .redirectUri(config.redirectUrl())
                .appPath("/slack")
                .oauthInstallPath("/install")
                .oauthRedirectUriPath("/oauth/callback")
                .oAuthInstallPathEnabled(true)
                .oAuthRedirectUriPathEnabled(true)
                .stateValidationEnabled(true)
                .oauthCompletionUrl(config.completionUrl())
                // Bolt would rotate an expiring token itself and store it over whatever is stored; rotating
                // ahead is InstalledTokens' job, whose writes check versions. Bolt rotates only an expired one.
                .tokenRotationExpirationMillis(0)
                .build();
        this.app = new AuthorizeAt(appConfig, config.authorizeUrl()).asOAuthApp(true)
                .service(installations)
                .service(new SignedState(config.clientSecret(), clock))
                .oauthCallbackException((request, response, e) -> {
                    // The reason stays in the log: the page is shown to whoever followed the link.
                    LOG.warn("An install could not be completed: {}", e.toString());
                    return Response.builder().statusCode(500).contentType("text/html; charset=utf-8")
                            .body("<html><body><p>The install could not be completed. Please try again.</p></body></html>")
                            .build();
                });
        app.event(AppUninstalledEvent.class, (payload, context) -> {
            // The context names the installation (an organisation's, for an org-wide one); the envelope may not.
            removed(installations, context.getEnterpriseId(), context.getTeamId(), "app_uninstalled");
            return context.ack();
        });
        app.event(TokensRevokedEvent.class, (payload, context) -> {
            List<String> bots = payload.getEvent().getTokens() == null ? null : payload.getEvent().getTokens().getBot();
            // Only the bot token sends Calls API requests; a revoked user token leaves the install usable.
            if (bots != null && !bots.isEmpty()) {
                removed(installations, context.getEnterpriseId(), context.getTeamId(), "tokens_revoked");
            }
            return context.ack();
        });
        this.parser = new SlackRequestParser(app.config());
        this.socket = config.socketModeToken() == null ? null
                : new SlackAppSocket(app, config.socketModeToken(), registry);
    }

    /**
     * Connects to Slack's Socket Mode when the app takes its events there; the HTTP routes need no start.
     *
     * @throws SlackAppSocket.TokenRefused when Slack refuses the app-level token
     */
    public void start() {
        if (socket != null) {
            socket.start();
        }
    }

    private void removed(InstallationService installations, String enterpriseId, String teamId, String why) {
        LOG.info("Slack app removed from workspace {} ({}): its installation is deleted", teamId, why);
        if (installations instanceof BoltInstallations store) {
            store.remove(enterpriseId, teamId, why); // the removal record says why
        } else {
            installations.deleteAll(enterpriseId, teamId);
        }
        Counter.builder("bridge.slack.app.removals").description("workspaces that uninstalled the app or revoked its token")
                .tag("reason", why).register(registry).increment();
    }

    /**
     * Serves the End call button's clicks ({@code block_actions} on {@code /slack/events}, the app's
     * interactivity request URL); the button is closed with the app.
     */
    public void endCallsWith(EndCallButton button) {
        button.registerOn(app);
        endCall = button;
    }

    /** The Web API client the app exchanges OAuth codes with, for rotating tokens the same way. */
    public Slack slack() {
        return app.slack();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
        handlers.shutdownNow();
        if (endCall != null) {
            endCall.close();
        }
        try {
            app.slack().close();
        } catch (Exception e) {
            LOG.debug("Closing the Slack app's client failed", e);
        }
    }

    /** The routes to serve, by path: OAuth needs a browser's redirect even when the events come over Socket Mode. */
    public Map<String, HttpHandler> routes() {
        Map<String, HttpHandler> routes = new LinkedHashMap<>();
        for (String path : socket == null ? List.of(INSTALL_PATH, CALLBACK_PATH, EVENTS_PATH)
                : List.of(INSTALL_PATH, CALLBACK_PATH)) {
            routes.put(path, this::handOver);
        }
        return routes;
    }

    private void handOver(HttpExchange exchange) throws IOException {
        try {
            handlers.execute(() -> {
                try {
                    handle(exchange);
                } catch (IOException e) {
                    LOG.debug("Answering a Slack app request failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            try (exchange) {
                respond(exchange, Response.builder().statusCode(503).contentType("text/plain; charset=utf-8")
                        .body("busy, try again\n").build());
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                respond(exchange, Response.builder().statusCode(413).contentType("text/plain; charset=utf-8")
                        .body("request body too large\n").build());
                return;
            }
            SlackRequestParser.HttpRequest raw = SlackRequestParser.HttpRequest.builder()
                    .requestUri(path)
                    .queryString(QueryStringParser.toMap(exchange.getRequestURI().getRawQuery()))
                    .headers(new RequestHeaders(exchange.getRequestHeaders()))
                    .requestBody(new String(body, StandardCharsets.UTF_8))
                    .remoteAddress(exchange.getRemoteAddress().getAddress().getHostAddress())
                    .build();
            Response response;
            try {
                Request<?> request = parser.parse(raw);
                response = request == null
                        ? Response.builder().statusCode(404).contentType("text/plain; charset=utf-8").body("not found\n").build()
                        : app.run(request);
            } catch (Exception e) {
                LOG.warn("Slack app request to {} failed: {}", path, e.toString());
                response = Response.builder().statusCode(500).contentType("text/plain; charset=utf-8")
                        .body("internal error\n").build();
            }
            if (path.equals(EVENTS_PATH) && response.getStatusCode() == 401) {
                Counter.builder("bridge.slack.app.refused").description("Events API requests refused for a bad or stale signature")
                        .register(registry).increment();
            }
            respond(exchange, response);
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length > MAX_BODY_BYTES ? null : bytes;
    }


    private static void respond(HttpExchange exchange, Response response) throws IOException {
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
        }
        if (response.getContentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", response.getContentType());
        }
        byte[] bytes = response.getBody() == null ? new byte[0] : response.getBody().getBytes(StandardCharsets.UTF_8);
        int status = response.getStatusCode() == null ? 200 : response.getStatusCode();
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Bolt's app with "Add to Slack" pointing at the configured authorize page, so the emulator can stand in for Slack. */
    private static final class AuthorizeAt extends App {

        private final String authorizeUrl;

        AuthorizeAt(AppConfig config, String authorizeUrl) {
            super(config);
            this.authorizeUrl = authorizeUrl;
        }

        @Override
        public String buildAuthorizeUrl(String state, String nonce) {
            String url = super.buildAuthorizeUrl(state, nonce);
            return url != null && url.startsWith(SlackAppConfig.SLACK_AUTHORIZE_URL)
                    ? authorizeUrl + url.substring(SlackAppConfig.SLACK_AUTHORIZE_URL.length())
                    : url;
        }
    }
}
