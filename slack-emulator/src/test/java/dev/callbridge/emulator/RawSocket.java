package dev.callbridge.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * A Socket Mode client written by hand, for what the SDK does not do on purpose: it acknowledges
 * envelopes only when told to, ignores {@code disconnect}, and shows each message it received.
 */
final class RawSocket extends WebSocketClient {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final boolean acknowledging;
    private final AtomicInteger closeCode = new AtomicInteger();

    private RawSocket(URI url, boolean acknowledging) {
        super(url);
        this.acknowledging = acknowledging;
    }

    /** A client connected to {@code url}, acknowledging each envelope at once if {@code acknowledging}. */
    static RawSocket connect(String url, boolean acknowledging) throws InterruptedException {
        RawSocket socket = new RawSocket(URI.create(url), acknowledging);
        if (!socket.connectBlocking(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("could not connect to " + url);
        }
        return socket;
    }

    /** Whether a connection to {@code url} is let in. */
    static boolean admitted(String url) throws InterruptedException {
        RawSocket socket = new RawSocket(URI.create(url), false);
        boolean admitted = socket.connectBlocking(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        socket.closeBlocking();
        return admitted;
    }

    /** The next message received, waiting for it a while. */
    JsonNode next() throws InterruptedException {
        JsonNode message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no message within " + WAIT);
        }
        return message;
    }

    /** The next message, unless none comes within {@code wait}. */
    JsonNode nextWithin(Duration wait) throws InterruptedException {
        return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    void acknowledge(JsonNode envelope) {
        send("{\"envelope_id\":\"" + envelope.path("envelope_id").asText() + "\"}");
    }

    /** The close code of the connection, once closed; 0 until then. */
    int closeCode() {
        return closeCode.get();
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
        // The emulator speaks first, with hello.
    }

    @Override
    public void onMessage(String text) {
        try {
            JsonNode message = EmulatorJson.mapper().readTree(text);
            messages.add(message);
            if (acknowledging && message.has("envelope_id")) {
                acknowledge(message);
            }
        } catch (JsonProcessingException e) {
            throw new AssertionError("the emulator sent no JSON: " + text, e);
        }
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        closeCode.set(code);
    }

    @Override
    public void onError(Exception e) {
        // A refused handshake or a dropped connection: the tests look at closeCode() and admitted().
    }
}
