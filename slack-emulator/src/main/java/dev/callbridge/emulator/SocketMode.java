package dev.callbridge.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.emulator.SocketDelivery.Status;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.java_websocket.WebSocket;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's Socket Mode for the emulator's apps. An app with an app-level token ({@code xapp-…},
 * holding {@code connections:write}) opens WebSocket URLs with {@code apps.connections.open}; on each
 * connection it is greeted with {@code hello}, and its events come as {@code events_api} envelopes
 * instead of requests to its events URL. Each envelope goes to one of the app's open connections and
 * must be acknowledged by its {@code envelope_id} within the events timeout; one that is not, or
 * finds no connection, is sent again up to three times, as an Events API request is, with
 * {@code retry_attempt} and {@code retry_reason}. A {@code disconnect} message asks an app to
 * reconnect, and the connection is closed after a grace period.
 */
final class SocketMode {

    /** The scope of an app-level token that may open connections; every token here holds it. */
    static final String CONNECTIONS_WRITE = "connections:write";
    /** How long Slack leaves a connection open after asking the app to reconnect. */
    static final Duration SLACK_DISCONNECT_GRACE = Duration.ofSeconds(10);
    /** How long a URL from {@code apps.connections.open} lets a connection in; it lets in one. */
    static final Duration TICKET_LIFETIME = Duration.ofMinutes(1);
    /** The reasons of Slack's {@code disconnect} messages. */
    static final Set<String> DISCONNECT_REASONS = Set.of("warning", "refresh_requested", "link_disabled");

    private static final Logger LOG = LoggerFactory.getLogger(SocketMode.class);
    private static final int RETRIES = 3;
    private static final String LINK_PATH = "/link/";
    private static final String APP_PREFIX = "xapp-";

    private final Map<String, EmulatedApp> appsByClientId = new LinkedHashMap<>();
    private final Map<String, AppToken> configured = new HashMap<>();
    private final Tokens tokens;
    private final String host;
    private final int port;
    private final List<Duration> retryDelays;
    private final Duration ackTimeout;
    private final Duration disconnectGrace;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timer;
    // Never restarts: ids seen before a reset never name later tokens, connections or envelopes.
    private final AtomicLong sequence = new AtomicLong();

    // Guarded by this.
    private final Map<String, AppToken> appTokens = new HashMap<>();
    private final Map<String, Ticket> tickets = new HashMap<>();
    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Map<String, Envelope> envelopes = new LinkedHashMap<>();
    private final Map<String, Integer> turns = new HashMap<>();
    private SocketModeServer server;

    /**
     * @param appTokens the app-level tokens the emulator starts with, each to the client id of its app
     * @param tokens the workspace tokens, which {@code apps.connections.open} refuses as the wrong type
     * @param host the address the WebSocket server binds, also named in its URLs
     * @param port its port; 0 for any free one
     * @param retryDelays the wait before each of the three retries of an envelope
     * @param ackTimeout how long an envelope waits for its acknowledgement
     * @param disconnectGrace how long a connection told to reconnect stays open
     * @throws IllegalArgumentException for a token that is no {@code xapp-} token, given twice, or of an unknown app
     */
    SocketMode(List<EmulatedApp> apps, Map<String, String> appTokens, Tokens tokens, String host, int port,
            List<Duration> retryDelays, Duration ackTimeout, Duration disconnectGrace, Clock clock) {
        apps.forEach(app -> appsByClientId.put(app.clientId(), app));
        appTokens.forEach((token, clientId) -> {
            if (!token.startsWith(APP_PREFIX)) {
                // The message names the app, never the token.
                throw new IllegalArgumentException("an app-level token starts with " + APP_PREFIX
                        + "; the one given for client id " + clientId + " does not");
            }
            if (!appsByClientId.containsKey(clientId)) {
                throw new IllegalArgumentException("an app-level token names client id " + clientId
                        + ", which no app has");
            }
            configured.put(token, new AppToken("app-token-" + sequence.incrementAndGet(), clientId, token));
        });
        if (disconnectGrace.isNegative()) {
            throw new IllegalArgumentException("the disconnect grace cannot be negative, was " + disconnectGrace);
        }
        this.tokens = tokens;
        this.host = host;
        this.port = port;
        this.retryDelays = List.copyOf(retryDelays);
        this.ackTimeout = ackTimeout;
        this.disconnectGrace = disconnectGrace;
        this.clock = clock;
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "slack-emulator-socket-mode");
            thread.setDaemon(true);
            return thread;
        });
        // An emulator without Socket Mode apps holds no thread.
        timer.setKeepAliveTime(10, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
        this.appTokens.putAll(configured);
    }

    /** Listens at once when an app has a token from the start, so that a taken port fails the emulator's start. */
    synchronized void start() {
        if (!appTokens.isEmpty()) {
            server();
        }
    }

    /** Closes every connection and stops listening; a later request listens again. */
    void stop() {
        SocketModeServer running;
        synchronized (this) {
            running = server;
            server = null;
            links.values().forEach(link -> link.closing = CloseFrame.GOING_AWAY);
        }
        if (running != null) {
            try {
                running.stop((int) disconnectGrace.toMillis() + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the app's events go over its connections: it has an app-level token. */
    synchronized boolean carries(EmulatedApp app) {
        return appTokens.values().stream().anyMatch(token -> token.clientId().equals(app.clientId()));
    }

    /**
     * A new app-level token for the app, which from now on is in Socket Mode.
     *
     * @throws NoSuchElementException for an unknown client id
     */
    synchronized AppToken issue(String clientId) {
        EmulatedApp app = app(clientId);
        long number = sequence.incrementAndGet();
        String value = APP_PREFIX + "1-" + app.appId() + "-" + number + "-" + randomText();
        AppToken token = new AppToken("app-token-" + number, clientId, value);
        appTokens.put(value, token);
        server();
        LOG.info("App {} has a new app-level token {}: its events go over Socket Mode", app.appId(), token.id());
        return token;
    }

    /** {@code apps.connections.open}: a WebSocket URL for the app of the app-level token, good for one connection. */
    synchronized ApiAnswer open(String token) {
        if (token == null || token.isBlank()) {
            return ApiAnswer.error("not_authed");
        }
        AppToken appToken = appTokens.get(token);
        if (appToken == null) {
            return ApiAnswer.error(tokens.find(token).isPresent() ? "not_allowed_token_type" : "invalid_auth");
        }
        EmulatedApp app = app(appToken.clientId());
        String ticket = randomText();
        tickets.values().removeIf(pending -> pending.expiredAt(clock.instant()));
        tickets.put(ticket, new Ticket(app.clientId(), clock.instant().plus(TICKET_LIFETIME)));
        String url = "ws://" + SlackEmulator.urlHost(host) + ":" + server().getPort() + LINK_PATH
                + "?ticket=" + ticket + "&app_id=" + app.appId();
        return ApiAnswer.ok(Map.of("url", url));
    }

    /**
     * The client id of the app a WebSocket handshake to {@code resource} is for, using up its ticket;
     * empty for another path or an unknown, used or expired ticket.
     */
    synchronized Optional<String> admit(String resource) {
        int query = resource.indexOf('?');
        if (query < 0 || !resource.substring(0, query).equals(LINK_PATH)) {
            return Optional.empty();
        }
        for (String pair : resource.substring(query + 1).split("&")) {
            if (pair.startsWith("ticket=")) {
                Ticket ticket = tickets.remove(URLDecoder.decode(pair.substring("ticket=".length()),
                        StandardCharsets.UTF_8));
                return ticket == null || ticket.expiredAt(clock.instant()) ? Optional.empty()
                        : Optional.of(ticket.clientId());
            }
        }
        return Optional.empty();
    }

    /** A connection of the app with {@code clientId} is open: it is greeted, and takes envelopes from now on. */
    synchronized void opened(WebSocket socket, String clientId) {
        EmulatedApp app = app(clientId);
        Link link = new Link("link-" + sequence.incrementAndGet(), app, socket, clock.instant());
        socket.setAttachment(link);
        links.put(link.id, link);
        Map<String, Object> debug = new LinkedHashMap<>();
        debug.put("host", "applink-emulator");
        debug.put("build_number", 1);
        debug.put("approximate_connection_time", 18_060);
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("type", "hello");
        hello.put("num_connections", openLinks(clientId).size());
        hello.put("debug_info", debug);
        hello.put("connection_info", Map.of("app_id", app.appId()));
        link.send(hello);
        LOG.info("App {} opened Socket Mode connection {}", app.appId(), link.id);
    }

    /** A message from an app: an acknowledgement names its envelope; anything else is ignored, as Slack does. */
    void received(WebSocket socket, String message) {
        if (!(socket.getAttachment() instanceof Link link)) {
            return;
        }
        String envelopeId;
        try {
            JsonNode ack = EmulatorJson.mapper().readTree(message);
            envelopeId = ack == null ? null : ack.path("envelope_id").asText(null);
        } catch (JsonProcessingException e) {
            envelopeId = null;
        }
        if (envelopeId == null) {
            LOG.debug("Connection {} sent a message that acknowledges no envelope", link.id);
            return;
        }
        acknowledged(link, envelopeId);
    }

    /** A connection closed: an envelope it had not acknowledged is sent again. */
    synchronized void closed(WebSocket socket, int code) {
        if (!(socket.getAttachment() instanceof Link link) || link.closedAt != null) {
            return;
        }
        link.closedAt = clock.instant();
        // Who began the closing, and with which code: the library reports how the handshake ended,
        // 1006 when the other side's TCP close came before its closing frame.
        link.closedBy = link.closing == null ? "app" : "emulator";
        link.closeCode = link.closing == null ? code : link.closing;
        LOG.info("Socket Mode connection {} of app {} closed by the {} ({})", link.id, link.app.appId(),
                link.closedBy, code);
        for (Envelope envelope : envelopes.values()) {
            Attempt last = envelope.lastAttempt();
            if (envelope.status == Status.PENDING && last.outcome == null && link.id.equals(last.connectionId)) {
                failed(envelope, last, "connection_failed");
            }
        }
    }

    /**
     * Raises an {@code events_api} envelope carrying {@code payload} (an {@code event_callback}) and
     * sends it; the WebSocket library writes it in the background.
     */
    synchronized void deliver(EmulatedApp app, String eventType, String eventId, String teamId,
            Map<String, Object> payload) {
        Envelope envelope = new Envelope(sequence.incrementAndGet(), UUID.randomUUID().toString(), app, eventType,
                eventId, teamId, EmulatorJson.mapper().valueToTree(payload));
        envelopes.put(envelope.envelopeId, envelope);
        retry(envelope, 0, null);
    }

    /**
     * Sends every open connection of the app a {@code disconnect} with {@code reason}, and closes each
     * after the grace period unless the app closed it first.
     *
     * @return the ids of the connections told
     * @throws IllegalArgumentException for a reason Slack does not send
     * @throws NoSuchElementException for an unknown client id
     */
    List<String> disconnect(String clientId, String reason) {
        if (!DISCONNECT_REASONS.contains(reason)) {
            throw new IllegalArgumentException("a disconnect reason is one of " + DISCONNECT_REASONS
                    + ", was " + reason);
        }
        List<Link> told;
        synchronized (this) {
            EmulatedApp app = app(clientId);
            told = openLinks(clientId);
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("type", "disconnect");
            message.put("reason", reason);
            message.put("debug_info", Map.of("host", "applink-emulator"));
            told.forEach(link -> {
                link.disconnectReason = reason;
                link.send(message);
            });
            LOG.info("Asked app {} to reconnect ({}) on {}", app.appId(), reason, ids(told));
        }
        told.forEach(link -> timer.schedule(
                () -> close(List.of(link), CloseFrame.NORMAL, socket -> socket.close(CloseFrame.NORMAL, reason)),
                disconnectGrace.toNanos(), TimeUnit.NANOSECONDS));
        return ids(told);
    }

    /**
     * Closes every open connection of the app at once, without a closing handshake, as a lost network does.
     *
     * @return the ids of the connections dropped
     * @throws NoSuchElementException for an unknown client id
     */
    List<String> drop(String clientId) {
        List<Link> dropped;
        synchronized (this) {
            app(clientId);
            dropped = openLinks(clientId);
        }
        close(dropped, CloseFrame.ABNORMAL_CLOSE,
                socket -> socket.closeConnection(CloseFrame.ABNORMAL_CLOSE, "dropped by the emulator"));
        return ids(dropped);
    }

    /** Every connection since the last reset, oldest first. */
    synchronized List<SocketConnection> connections() {
        return links.values().stream().map(Link::view).toList();
    }

    /** Every envelope raised since the last reset, oldest first. */
    synchronized List<SocketDelivery> deliveries() {
        return envelopes.values().stream().map(Envelope::view).toList();
    }

    /**
     * Forgets the issued app-level tokens (the configured ones stay), URLs, connections and envelopes,
     * dropping the retries still due; open connections are closed.
     */
    void clear() {
        List<Link> open;
        synchronized (this) {
            appTokens.clear();
            appTokens.putAll(configured);
            tickets.clear();
            open = links.values().stream().filter(link -> link.closedAt == null).toList();
            links.clear();
            envelopes.clear();
            turns.clear();
        }
        close(open, CloseFrame.GOING_AWAY, socket -> socket.close(CloseFrame.GOING_AWAY, "emulator reset"));
    }

    /**
     * Closes the connections as the emulator, unless the app closed one first. Off the lock: the
     * WebSocket library calls closed() while it holds the connection's own.
     */
    private void close(List<Link> closing, int code, Consumer<WebSocket> how) {
        List<Link> open;
        synchronized (this) {
            open = closing.stream().filter(link -> link.closedAt == null).toList();
            open.forEach(link -> link.closing = code);
        }
        open.forEach(link -> how.accept(link.socket));
    }

    private void acknowledged(Link link, String envelopeId) {
        synchronized (this) {
            link.acks++;
            Envelope envelope = envelopes.get(envelopeId);
            // A late or repeated acknowledgement, or one of a forgotten envelope, settles nothing more.
            if (envelope == null || envelope.status != Status.PENDING) {
                return;
            }
            envelope.status = Status.ACKED;
            envelope.ackedOn = link.id;
            Attempt last = envelope.lastAttempt();
            if (last.outcome == null) {
                last.outcome = "acked";
            }
        }
    }

    /** Sends the envelope's attempt {@code retry}, unless it was settled or forgotten meanwhile. */
    private synchronized void retry(Envelope envelope, int retry, String retryReason) {
        if (envelope.status != Status.PENDING || envelopes.get(envelope.envelopeId) != envelope) {
            return;
        }
        Link link = nextLink(envelope.app.clientId());
        Attempt attempt = new Attempt(retry, link == null ? null : link.id);
        envelope.attempts.add(attempt);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("envelope_id", envelope.envelopeId);
        message.put("payload", envelope.payload);
        message.put("type", "events_api");
        message.put("accepts_response_payload", false);
        message.put("retry_attempt", retry);
        message.put("retry_reason", retryReason == null ? "" : retryReason);
        if (link == null || !link.send(message)) {
            failed(envelope, attempt, "connection_failed");
            return;
        }
        link.envelopesSent++;
        timer.schedule(() -> timedOut(envelope, attempt), ackTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void timedOut(Envelope envelope, Attempt attempt) {
        if (envelope.status == Status.PENDING && attempt.outcome == null
                && envelopes.get(envelope.envelopeId) == envelope) {
            failed(envelope, attempt, "http_timeout");
        }
    }

    /** Guarded by this: the attempt failed; the next one is due after its delay, or the envelope has failed. */
    private void failed(Envelope envelope, Attempt attempt, String reason) {
        attempt.outcome = reason;
        envelope.lastError = reason;
        if (attempt.retryAttempt < RETRIES) {
            timer.schedule(() -> retry(envelope, attempt.retryAttempt + 1, reason),
                    retryDelays.get(attempt.retryAttempt).toNanos(), TimeUnit.NANOSECONDS);
        } else {
            envelope.status = Status.FAILED;
            LOG.warn("Socket Mode envelope {} ({}) of app {} failed after {} retries, the last with {}",
                    envelope.id, envelope.eventType, envelope.app.appId(), RETRIES, reason);
        }
    }

    /**
     * Guarded by this: the connection for the app's next envelope, taking turns among those not told
     * to reconnect, or among the others when there are none; {@code null} when none is open.
     */
    private Link nextLink(String clientId) {
        List<Link> open = openLinks(clientId);
        List<Link> staying = open.stream().filter(link -> link.disconnectReason == null).toList();
        List<Link> candidates = staying.isEmpty() ? open : staying;
        if (candidates.isEmpty()) {
            return null;
        }
        int turn = turns.merge(clientId, 1, Integer::sum);
        return candidates.get(Math.floorMod(turn, candidates.size()));
    }

    /** Guarded by this. */
    private List<Link> openLinks(String clientId) {
        return links.values().stream()
                .filter(link -> link.closedAt == null && link.socket.isOpen() && link.app.clientId().equals(clientId))
                .toList();
    }

    /** Guarded by this: the WebSocket server, started on first need. */
    private SocketModeServer server() {
        if (server == null) {
            server = SocketModeServer.listen(host, port, this);
        }
        return server;
    }

    private EmulatedApp app(String clientId) {
        EmulatedApp app = clientId == null ? null : appsByClientId.get(clientId);
        if (app == null) {
            throw new NoSuchElementException("no app has the client id " + clientId);
        }
        return app;
    }

    private static List<String> ids(List<Link> links) {
        return links.stream().map(link -> link.id).toList();
    }

    /** Unguessable: the random part of tokens and tickets. */
    private static String randomText() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * An app-level token; {@code value} is the token itself, shown only to whoever had it issued.
     *
     * @param id names the token ({@code app-token-3}); never reused
     */
    record AppToken(String id, String clientId, String value) {

        /** Leaves the token out: it may end up in logs and assertion messages. */
        @Override
        public String toString() {
            return "AppToken[id=" + id + ", clientId=" + clientId + "]";
        }
    }

    private record Ticket(String clientId, Instant expiresAt) {

        boolean expiredAt(Instant now) {
            return !now.isBefore(expiresAt);
        }
    }

    /** One open or closed connection; guarded by the enclosing instance. */
    private static final class Link {

        final String id;
        final EmulatedApp app;
        final WebSocket socket;
        final Instant openedAt;
        Instant closedAt;
        Integer closeCode;
        String closedBy;
        /** The code the emulator closes it with; {@code null} unless the emulator began closing it. */
        Integer closing;
        String disconnectReason;
        int envelopesSent;
        int acks;

        Link(String id, EmulatedApp app, WebSocket socket, Instant openedAt) {
            this.id = id;
            this.app = app;
            this.socket = socket;
            this.openedAt = openedAt;
        }

        /** Whether the message went out; not when the connection has closed meanwhile. */
        boolean send(Map<String, Object> message) {
            try {
                socket.send(new String(EmulatorJson.write(message), StandardCharsets.UTF_8));
                return true;
            } catch (WebsocketNotConnectedException e) {
                return false;
            }
        }

        SocketConnection view() {
            return new SocketConnection(id, app.appId(), openedAt.getEpochSecond(),
                    closedAt == null ? null : closedAt.getEpochSecond(), closedBy, closeCode, disconnectReason,
                    envelopesSent, acks);
        }
    }

    /** One sending of an envelope; guarded by the enclosing instance. */
    private static final class Attempt {

        final int retryAttempt;
        final String connectionId;
        String outcome;

        Attempt(int retryAttempt, String connectionId) {
            this.retryAttempt = retryAttempt;
            this.connectionId = connectionId;
        }
    }

    /** One envelope and its attempts; guarded by the enclosing instance. */
    private static final class Envelope {

        final long id;
        final String envelopeId;
        final EmulatedApp app;
        final String eventType;
        final String eventId;
        final String teamId;
        final JsonNode payload;
        final List<Attempt> attempts = new ArrayList<>();
        Status status = Status.PENDING;
        String lastError;
        String ackedOn;

        Envelope(long id, String envelopeId, EmulatedApp app, String eventType, String eventId, String teamId,
                JsonNode payload) {
            this.id = id;
            this.envelopeId = envelopeId;
            this.app = app;
            this.eventType = eventType;
            this.eventId = eventId;
            this.teamId = teamId;
            this.payload = payload;
        }

        /** Every envelope has one: it is sent as it is raised. */
        Attempt lastAttempt() {
            return attempts.get(attempts.size() - 1);
        }

        SocketDelivery view() {
            List<SocketDelivery.Attempt> shown = attempts.stream()
                    .map(a -> new SocketDelivery.Attempt(a.retryAttempt, a.connectionId, a.outcome)).toList();
            return new SocketDelivery(id, envelopeId, eventType, eventId, app.appId(), teamId, status,
                    lastAttempt().retryAttempt,
                    lastError, ackedOn, shown);
        }
    }
}
