package dev.callbridge.devkit.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callbridge.emulator.CallSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A web page on localhost that shows the calls in the Slack emulator the way Slack would, newest
 * first, and keeps itself up to date: {@code /} is the page, {@code /board} the part it refetches
 * every second.
 *
 * <pre>{@code
 * CallBoard board = new CallBoard(8090, emulator.client()::calls, null).start();
 * System.out.println("Calls: " + board.url());
 * }</pre>
 */
public final class CallBoard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallBoard.class);
    /** Loopback only: the board shows call links and names, and is for the person at this machine. */
    private static final String HOST = "127.0.0.1";

    private final int requestedPort;
    private final Supplier<List<CallSnapshot>> calls;
    private final String installUrl;
    private HttpServer server;

    /**
     * @param port the port to serve on; 0 picks a free one
     * @param calls where the calls come from, normally {@code emulator.client()::calls}
     * @param installUrl the bridge's "Add to Slack" link to show, or {@code null}
     */
    public CallBoard(int port, Supplier<List<CallSnapshot>> calls, String installUrl) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or a TCP port, was " + port);
        }
        this.requestedPort = port;
        this.calls = Objects.requireNonNull(calls, "calls");
        this.installUrl = installUrl;
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
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain", "only GET and HEAD\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/" -> respondWithCalls(exchange, (calls, now) -> CallBoardPage.render(calls, now, installUrl));
                case CallBoardPage.BOARD_PATH -> respondWithCalls(exchange, CallBoardPage::board);
                default -> respond(exchange, 404, "text/plain", "not found; the call board is at /\n");
            }
        }
    }

    private void respondWithCalls(HttpExchange exchange, BiFunction<List<CallSnapshot>, Instant, String> render) throws IOException {
        List<CallSnapshot> snapshot;
        try {
            snapshot = calls.get();
        } catch (RuntimeException e) {
            // Expected while the emulator shuts down; the page keeps its last state and says so.
            respond(exchange, 503, "text/plain", "the Slack emulator did not answer\n");
            return;
        }
        respond(exchange, 200, "text/html", render.apply(snapshot, Instant.now()));
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
