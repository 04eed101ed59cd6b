package dev.callbridge.emulator;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket server behind the URLs {@code apps.connections.open} hands out: it lets a connection in
 * only with an unused ticket of such a URL, and passes what happens on the connections to {@link SocketMode}.
 */
final class SocketModeServer extends WebSocketServer {

    private static final Logger LOG = LoggerFactory.getLogger(SocketModeServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    /** The envelopes are small and few: one decoder thread serves every connection. */
    private static final int DECODERS = 1;

    private final SocketMode socketMode;
    private final CompletableFuture<Void> bound = new CompletableFuture<>();

    private SocketModeServer(InetSocketAddress address, SocketMode socketMode) {
        super(address, DECODERS);
        this.socketMode = socketMode;
        setDaemon(true);
        setReuseAddr(true);
    }

    /**
     * A server listening on {@code host}:{@code port} (0: any free port).
     *
     * @throws IllegalStateException when the port cannot be bound
     */
    static SocketModeServer listen(String host, int port, SocketMode socketMode) {
        SocketModeServer server = new SocketModeServer(new InetSocketAddress(host, port), socketMode);
        server.start();
        try {
            server.bound.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Socket Mode server", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the Socket Mode server cannot listen on " + host + ":" + port,
                    e instanceof ExecutionException ? e.getCause() : e);
        }
        LOG.info("Slack emulator serving Socket Mode connections on {}:{}", host, server.getPort());
        return server;
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket socket, Draft draft,
            ClientHandshake request) throws InvalidDataException {
        ServerHandshakeBuilder answer = super.onWebsocketHandshakeReceivedAsServer(socket, draft, request);
        String clientId = socketMode.admit(request.getResourceDescriptor()).orElseThrow(() -> new InvalidDataException(
                CloseFrame.POLICY_VALIDATION, "not a URL from apps.connections.open, or one already used or expired"));
        socket.setAttachment(clientId);
        return answer;
    }

    @Override
    public void onOpen(WebSocket socket, ClientHandshake handshake) {
        socketMode.opened(socket, socket.getAttachment());
    }

    @Override
    public void onMessage(WebSocket socket, String message) {
        socketMode.received(socket, message);
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason, boolean remote) {
        socketMode.closed(socket, code);
    }

    @Override
    public void onError(WebSocket socket, Exception e) {
        if (socket == null) {
            // The server itself failed, at its start when the port is taken.
            bound.completeExceptionally(e);
            LOG.warn("The Socket Mode server failed: {}", e.toString());
        } else {
            LOG.debug("A Socket Mode connection failed", e);
        }
    }

    @Override
    public void onStart() {
        bound.complete(null);
    }
}
