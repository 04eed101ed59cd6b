package dev.callbridge.devkit.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callbridge.devkit.local.CallBoardPage.EndCallControl;
import dev.callbridge.devkit.local.CallBoardPage.SlackView;
import dev.callbridge.emulator.Click;
import dev.callbridge.emulator.Delivery;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.Interaction;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.slackapp.EndCallButton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A web page on localhost that shows the calls in the Slack emulator the way Slack would, newest
 * first, each with the replies in its block's thread, and keeps itself up to date: {@code /} is the
 * page, {@code /board} the part it refetches every second. Given a user to click as, a live call's
 * End call button works: the page posts the click to {@code /end-call}, and the board has the
 * emulator click the button as that user, so the Slack app gets it as it would from Slack.
 *
 * <pre>{@code
 * CallBoard board = new CallBoard(8088, emulator.client(), null, "U0DEMO").start();
 * System.out.println("Calls: " + board.url());
 * }</pre>
 */
public final class CallBoard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallBoard.class);
    /** Loopback only: the board shows call links and names, and is for the person at this machine. */
    private static final String HOST = "127.0.0.1";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A click names a message; anything longer is not one. */
    private static final int MAX_CLICK_BYTES = 1024;

    private final int requestedPort;
    private final EmulatorClient slack;
    private final String installUrl;
    private final String endCallsAs;
    private HttpServer server;

    /**
     * @param port the port to serve on; 0 picks a free one
     * @param slack the Slack emulator whose calls and messages the board shows
     * @param installUrl the bridge's "Add to Slack" link to show, or {@code null}
     * @param endCallsAs the Slack user whose End call clicks the board sends; {@code null} for a board without buttons
     */
    public CallBoard(int port, EmulatorClient slack, String installUrl, String endCallsAs) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or a TCP port, was " + port);
        }
        this.requestedPort = port;
        this.slack = Objects.requireNonNull(slack, "slack");
        this.installUrl = installUrl;
        this.endCallsAs = endCallsAs;
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IllegalStateException if already running
     * @throws UncheckedIOException when the port cannot be bound
     */
    public synchronized CallBoard start() {
        if (server != null) {
            throw new IllegalStateException("the call board is already running at " + url());
        }
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, requestedPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the call board on " + HOST + ":" + requestedPort, e);
        }
        server.createContext("/", this::handle);
        server.start();
        LOG.info("Call board serving {}", url());
        return this;
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The port bound; a requested port 0 becomes an ephemeral one.
     *
     * @throws IllegalStateException when not running
     */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the call board is not running");
        }
        return server.getAddress().getPort();
    }

    /** The page's address, ending in {@code /}. */
    public String url() {
        return "http://" + HOST + ":" + port() + "/";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            boolean clicking = path.equals(CallBoardPage.END_CALL_PATH) && endCallsAs != null;
            List<String> allowed = clicking ? List.of("POST") : List.of("GET", "HEAD");
            if (!allowed.contains(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
                respond(exchange, 405, "text/plain", "only " + String.join(" and ", allowed) + "\n");
                return;
            }
            if (clicking) {
                endCall(exchange);
                return;
            }
            boolean canEndCalls = endCallsAs != null;
            switch (path) {
                case "/" -> respondWithSlack(exchange, (view, now) -> CallBoardPage.render(view, now, installUrl, canEndCalls));
                case CallBoardPage.BOARD_PATH -> respondWithSlack(exchange, (view, now) -> CallBoardPage.board(view, now, canEndCalls));
                default -> respond(exchange, 404, "text/plain", "not found; the call board is at /\n");
            }
        }
    }

    private void respondWithSlack(HttpExchange exchange, BiFunction<SlackView, Instant, String> render) throws IOException {
        SlackView view;
        try {
            view = new SlackView(slack.calls(), slack.messages());
        } catch (RuntimeException e) {
            // Expected while the emulator shuts down; the page keeps its last state and says so.
            respond(exchange, 503, "text/plain", "the Slack emulator did not answer\n");
            return;
        }
        respond(exchange, 200, "text/html", render.apply(view, Instant.now()));
    }

    /**
     * Clicks the End call button of the message the page names ({@code {"channel", "ts"}}) as
     * {@link #endCallsAs}. Only a JSON body is taken: a page of another site cannot send one here
     * without a CORS preflight, which the board never allows, so it cannot end calls.
     */
    private void endCall(HttpExchange exchange) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            respond(exchange, 415, "text/plain", "a click is JSON: {\"channel\": ..., \"ts\": ...}\n");
            return;
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_CLICK_BYTES + 1);
        JsonNode click;
        try {
            click = body.length > MAX_CLICK_BYTES ? null : JSON.readTree(body);
        } catch (IOException e) {
            click = null;
        }
        String channel = click == null ? "" : click.path("channel").asText("");
        String ts = click == null ? "" : click.path("ts").asText("");
        if (channel.isBlank() || ts.isBlank()) {
            respond(exchange, 400, "text/plain", "a click names the button's message: {\"channel\": ..., \"ts\": ...}\n");
            return;
        }
        Interaction interaction;
        try {
            Optional<PostedMessage> message = slack.messages().stream()
                    .filter(m -> m.channel().equals(channel) && m.ts().equals(ts) && EndCallControl.of(m).isPresent())
                    .findFirst();
            if (message.isEmpty()) {
                respond(exchange, 404, "text/plain", "no End call button on message " + ts + " in " + channel + "\n");
                return;
            }
            EndCallControl control = EndCallControl.of(message.get()).orElseThrow();
            interaction = slack.click(new Click(message.get().teamId(), channel, ts, endCallsAs, EndCallButton.ACTION_ID,
                    control.value(), control.blockId(), null));
        } catch (RuntimeException e) {
            respond(exchange, 502, "text/plain", "the Slack emulator did not click: " + e.getMessage() + "\n");
            return;
        }
        if (interaction.status() != Delivery.Status.DELIVERED) {
            respond(exchange, 502, "text/plain", "the Slack app did not take the click: " + interaction.error()
                    + (interaction.httpStatus() == null ? "" : " (HTTP " + interaction.httpStatus() + ")") + "\n");
            return;
        }
        LOG.info("End call clicked as {} on message {} in {}", endCallsAs, ts, channel);
        respond(exchange, 200, "text/plain", "clicked End call as " + endCallsAs + "\n");
    }

    private static void respond(HttpExchange exchange, int status, String mediaType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", mediaType + "; charset=utf-8");
        headers.set("Cache-Control", "no-store");
        headers.set("Content-Security-Policy", CallBoardPage.CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        // Avatars come from other hosts, which need not learn where the board runs.
        headers.set("Referrer-Policy", "no-referrer");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
