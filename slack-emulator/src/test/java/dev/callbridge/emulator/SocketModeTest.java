package dev.callbridge.emulator;

import static dev.callbridge.emulator.Installs.APP;
import static dev.callbridge.emulator.Installs.APP_ID;
import static dev.callbridge.emulator.Installs.CLIENT_ID;
import static dev.callbridge.emulator.Installs.SIGNING_SECRET;
import static dev.callbridge.emulator.Installs.install;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.Slack;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.methods.response.apps.connections.AppsConnectionsOpenResponse;
import com.slack.api.model.event.AppUninstalledEvent;
import com.slack.api.model.event.TokensRevokedEvent;
import com.slack.api.socket_mode.SocketModeClient;
import dev.callbridge.emulator.SocketDelivery.Attempt;
import dev.callbridge.emulator.SocketDelivery.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import okhttp3.FormBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Socket Mode: {@code apps.connections.open}, the connections it lets in, the {@code events_api}
 * envelopes an app's events come in instead of Events API requests, their acknowledgements and
 * retries, and the {@code disconnect} that asks an app to reconnect; against Bolt's own
 * {@link SocketModeApp} on the SDK's Java-WebSocket backend, and against a client written by hand.
 */
class SocketModeTest {

    private static final String APP_TOKEN = "xapp-1-A11112222-1-configured";
    private static final String BOT_TOKEN = "xoxb-workspace-token";
    private static final String TEAM = "T0XYZ";
    private static final Duration RETRY_DELAY = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration GRACE = Duration.ofMillis(300);

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass(() -> SlackEmulator.builder()
            .app(APP)
            .appToken(CLIENT_ID, APP_TOKEN)
            .token(BOT_TOKEN, "T0BOT")
            .eventRetryDelays(RETRY_DELAY, RETRY_DELAY, RETRY_DELAY)
            .eventTimeout(TIMEOUT)
            .disconnectGrace(GRACE)
            .build().start());

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : opened) {
            client.close();
        }
    }

    private static EmulatorClient emulator() {
        return EMULATOR.emulator().client();
    }

    private static String url(SlackEmulator emulator, String appToken) throws Exception {
        AppsConnectionsOpenResponse open = SlackSdk.slack(emulator).methods().appsConnectionsOpen(r -> r.token(appToken));
        assertThat(open.isOk()).as(open.getError()).isTrue();
        return open.getUrl();
    }

    /** A hand-written client, connected and greeted. */
    private RawSocket connect(SlackEmulator emulator, boolean acknowledging) throws Exception {
        RawSocket socket = RawSocket.connect(url(emulator, APP_TOKEN), acknowledging);
        opened.add(socket::closeBlocking);
        assertThat(socket.next().path("type").asText()).isEqualTo("hello");
        return socket;
    }

    private RawSocket connect(boolean acknowledging) throws Exception {
        return connect(EMULATOR.emulator(), acknowledging);
    }

    /** Installs the app in {@link #TEAM} and uninstalls it: two envelopes, tokens_revoked and app_uninstalled. */
    private static void uninstall(SlackEmulator emulator) throws Exception {
        install(emulator, SlackSdk.slack(emulator), TEAM);
        emulator.client().uninstall(CLIENT_ID, TEAM);
    }

    private static List<SocketDelivery> settled(EmulatorClient client, int count) {
        return await().atMost(Duration.ofSeconds(10)).until(client::socketDeliveries,
                deliveries -> deliveries.size() == count
                        && deliveries.stream().noneMatch(delivery -> delivery.status() == Status.PENDING));
    }

    private static List<SocketConnection> connections(Predicate<SocketConnection> which) {
        return emulator().socketConnections().stream().filter(which).toList();
    }

    /** The messages a client received until none came for a while, by envelope id. */
    private static Map<String, List<JsonNode>> byEnvelope(RawSocket socket, Duration quiet) throws InterruptedException {
        List<JsonNode> received = new ArrayList<>();
        for (JsonNode message = socket.nextWithin(quiet); message != null; message = socket.nextWithin(quiet)) {
            received.add(message);
        }
        return received.stream().collect(Collectors.groupingBy(message -> message.path("envelope_id").asText(),
                LinkedHashMap::new, Collectors.toList()));
    }

    /** Bolt's Socket Mode app on the Java-WebSocket backend, as the bridge runs it, noting the events it handles. */
    private SocketModeApp bolt(SlackEmulator emulator, List<String> heard) throws Exception {
        Slack slack = SlackSdk.slack(emulator);
        App app = new App(AppConfig.builder().slack(slack).signingSecret(SIGNING_SECRET).build());
        app.event(TokensRevokedEvent.class, (payload, context) -> {
            heard.add("tokens_revoked " + payload.getTeamId() + " bot=" + payload.getEvent().getTokens().getBot());
            return context.ack();
        });
        app.event(AppUninstalledEvent.class, (payload, context) -> {
            heard.add("app_uninstalled " + payload.getTeamId() + " app=" + payload.getApiAppId());
            return context.ack();
        });
        SocketModeApp socketMode = new SocketModeApp(APP_TOKEN, app, SocketModeClient.Backend.JavaWebSocket);
        socketMode.startAsync();
        SocketModeClient client = socketMode.getClient();
        opened.add(() -> {
            socketMode.close();
            client.close();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> !connections(SocketConnection::open).isEmpty());
        return socketMode;
    }

    @Test
    void appsConnectionsOpenAnswersAWebSocketUrlForAnAppLevelTokenAndSlacksErrorsForAnyOther() throws Exception {
        Slack slack = EMULATOR.slack();

        assertThat(url(EMULATOR.emulator(), APP_TOKEN))
                .matches("ws://127\\.0\\.0\\.1:\\d+/link/\\?ticket=[0-9a-f]+&app_id=" + APP_ID);
        // Without a token the SDK's typed methods send "Bearer null": post the bare form instead.
        try (Response bare = slack.getHttpClient().postForm(EMULATOR.emulator().baseUrl() + "apps.connections.open",
                new FormBody.Builder().build())) {
            assertThat(bare.body().string()).isEqualTo("{\"ok\":false,\"error\":\"not_authed\"}");
        }
        assertThat(slack.methods().appsConnectionsOpen(r -> r.token("xapp-1-A11112222-9-unknown")).getError())
                .isEqualTo("invalid_auth");
        assertThat(slack.methods().appsConnectionsOpen(r -> r.token(BOT_TOKEN)).getError())
                .isEqualTo("not_allowed_token_type");
        assertThat(emulator().stats().of(ApiMethod.APPS_CONNECTIONS_OPEN).requests()).isEqualTo(4);
    }

    @Test
    void aConnectionIsGreetedWithHelloAndAUrlLetsInOneConnectionOnly() throws Exception {
        String url = url(EMULATOR.emulator(), APP_TOKEN);
        RawSocket first = RawSocket.connect(url, true);
        opened.add(first::closeBlocking);
        RawSocket second = connect(true);

        JsonNode hello = first.next();
        assertThat(hello.path("type").asText()).isEqualTo("hello");
        assertThat(hello.path("num_connections").asInt()).isEqualTo(1);
        assertThat(hello.path("connection_info").path("app_id").asText()).isEqualTo(APP_ID);
        assertThat(hello.path("debug_info").path("host").asText()).isNotBlank();
        assertThat(RawSocket.admitted(url)).as("a URL used already").isFalse();
        assertThat(RawSocket.admitted(url.replaceFirst("ticket=[0-9a-f]+", "ticket=forged"))).isFalse();
        assertThat(RawSocket.admitted(url.replace("/link/", "/other/"))).isFalse();
        assertThat(emulator().socketConnections()).extracting(SocketConnection::appId, SocketConnection::open)
                .containsExactly(tuple(APP_ID, true), tuple(APP_ID, true));
        assertThat(second.isOpen()).isTrue();
    }

    @Test
    void anUninstallReachesBoltsSocketModeAppAsEnvelopesItAcknowledges() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        bolt(EMULATOR.emulator(), heard);

        uninstall(EMULATOR.emulator());

        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
        assertThat(heard).containsExactly("tokens_revoked " + TEAM + " bot=[U11112222" + TEAM + "]",
                "app_uninstalled " + TEAM + " app=" + APP_ID);
        String connection = connections(SocketConnection::open).get(0).id();
        assertThat(settled(emulator(), 2))
                .extracting(SocketDelivery::eventType, SocketDelivery::teamId, SocketDelivery::appId,
                        SocketDelivery::status, SocketDelivery::retries, SocketDelivery::ackedOn)
                .containsExactly(
                        tuple("tokens_revoked", TEAM, APP_ID, Status.ACKED, 0, connection),
                        tuple("app_uninstalled", TEAM, APP_ID, Status.ACKED, 0, connection));
        assertThat(connections(SocketConnection::open)).singleElement()
                .satisfies(c -> assertThat(c.acks()).isEqualTo(2))
                .satisfies(c -> assertThat(c.envelopesSent()).isEqualTo(2));
        assertThat(emulator().deliveries()).as("no Events API request over HTTP").isEmpty();
    }

    @Test
    void anEnvelopeIsInSlacksShapeAndOneNotAcknowledgedIsSentAgainThreeTimesThenFails() throws Exception {
        RawSocket silent = connect(false);

        uninstall(EMULATOR.emulator());

        List<SocketDelivery> failed = settled(emulator(), 2);
        Map<String, List<JsonNode>> received = byEnvelope(silent, Duration.ofMillis(300));
        assertThat(failed).allSatisfy(delivery -> {
            assertThat(delivery.status()).isEqualTo(Status.FAILED);
            assertThat(delivery.retries()).isEqualTo(3);
            assertThat(delivery.lastError()).isEqualTo("http_timeout");
            assertThat(delivery.ackedOn()).isNull();
            assertThat(delivery.attempts()).extracting(Attempt::retryAttempt, Attempt::outcome).containsExactly(
                    tuple(0, "http_timeout"), tuple(1, "http_timeout"), tuple(2, "http_timeout"),
                    tuple(3, "http_timeout"));
            List<JsonNode> attempts = received.get(delivery.envelopeId());
            assertThat(attempts).extracting(m -> m.path("retry_attempt").asInt(), m -> m.path("retry_reason").asText())
                    .containsExactly(tuple(0, ""), tuple(1, "http_timeout"), tuple(2, "http_timeout"),
                            tuple(3, "http_timeout"));
            JsonNode envelope = attempts.get(0);
            assertThat(envelope.path("type").asText()).isEqualTo("events_api");
            assertThat(envelope.path("accepts_response_payload").asBoolean(true)).isFalse();
            JsonNode payload = envelope.path("payload");
            assertThat(payload.path("type").asText()).isEqualTo("event_callback");
            assertThat(payload.path("event").path("type").asText()).isEqualTo(delivery.eventType());
            assertThat(payload.path("event_id").asText()).isEqualTo(delivery.eventId()).startsWith("Ev");
            assertThat(payload.path("team_id").asText()).isEqualTo(TEAM);
            assertThat(payload.path("api_app_id").asText()).isEqualTo(APP_ID);
            assertThat(attempts).extracting(m -> m.path("payload")).containsOnly(payload);
        });
        assertThat(received).hasSize(2);
    }

    @Test
    void acknowledgingARetrySettlesTheEnvelope() throws Exception {
        RawSocket late = connect(false);

        uninstall(EMULATOR.emulator());
        JsonNode first = late.next();
        JsonNode retried;
        do {
            retried = late.next();
        } while (!retried.path("envelope_id").equals(first.path("envelope_id")));
        late.acknowledge(retried);

        SocketDelivery acked = await().atMost(Duration.ofSeconds(10)).until(
                () -> emulator().socketDeliveries().get(0), delivery -> delivery.status() != Status.PENDING);
        assertThat(acked.envelopeId()).isEqualTo(first.path("envelope_id").asText());
        assertThat(acked.status()).isEqualTo(Status.ACKED);
        assertThat(acked.attempts()).extracting(Attempt::retryAttempt, Attempt::outcome)
                .containsExactly(tuple(0, "http_timeout"), tuple(1, "acked"));
    }

    @Test
    void envelopesGoToOneConnectionEachTakingTurns() throws Exception {
        RawSocket one = connect(true);
        RawSocket two = connect(true);

        uninstall(EMULATOR.emulator());

        List<SocketDelivery> acked = settled(emulator(), 2);
        assertThat(acked).extracting(SocketDelivery::status).containsOnly(Status.ACKED);
        assertThat(acked).extracting(SocketDelivery::ackedOn).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(connections(SocketConnection::open).stream()
                        .map(SocketConnection::id).toList());
        assertThat(byEnvelope(one, Duration.ofMillis(200))).hasSize(1);
        assertThat(byEnvelope(two, Duration.ofMillis(200))).hasSize(1);
    }

    @Test
    void anEnvelopeOnAConnectionThatClosesBeforeItsAcknowledgementIsSentAgainOnAnother() throws Exception {
        // Acknowledgements wait long here, so that only the closing can have caused the retry.
        try (SlackEmulator patient = SlackEmulator.builder().app(APP).appToken(CLIENT_ID, APP_TOKEN)
                .eventRetryDelays(RETRY_DELAY, RETRY_DELAY, RETRY_DELAY).eventTimeout(Duration.ofSeconds(30))
                .build().start()) {
            RawSocket leaving = connect(patient, false);
            uninstall(patient);
            leaving.next();
            leaving.next();
            connect(patient, true);

            leaving.closeBlocking();

            List<SocketDelivery> acked = settled(patient.client(), 2);
            String staying = patient.client().socketConnections().stream().filter(SocketConnection::open)
                    .findFirst().orElseThrow().id();
            assertThat(acked).allSatisfy(delivery -> {
                assertThat(delivery.status()).isEqualTo(Status.ACKED);
                assertThat(delivery.ackedOn()).isEqualTo(staying);
                assertThat(delivery.attempts()).extracting(Attempt::retryAttempt, Attempt::outcome)
                        .containsExactly(tuple(0, "connection_failed"), tuple(1, "acked"));
                assertThat(delivery.attempts().get(1).connectionId()).isEqualTo(staying);
            });
        }
    }

    @Test
    void anAppWithNoOpenConnectionHasItsEnvelopesFailAfterTheRetries() throws Exception {
        uninstall(EMULATOR.emulator());

        assertThat(settled(emulator(), 2)).allSatisfy(delivery -> {
            assertThat(delivery.status()).isEqualTo(Status.FAILED);
            assertThat(delivery.attempts()).extracting(Attempt::connectionId, Attempt::outcome)
                    .containsOnly(tuple(null, "connection_failed")).hasSize(4);
        });
    }

    @Test
    void disconnectAsksToReconnectAndAConnectionThatDoesNotIsClosedAfterTheGrace() throws Exception {
        RawSocket stubborn = connect(true);

        List<String> told = emulator().refreshSockets(CLIENT_ID);
        JsonNode disconnect = stubborn.next();
        RawSocket fresh = connect(true);
        uninstall(EMULATOR.emulator());

        assertThat(disconnect.path("type").asText()).isEqualTo("disconnect");
        assertThat(disconnect.path("reason").asText()).isEqualTo("refresh_requested");
        await().atMost(Duration.ofSeconds(5)).until(() -> stubborn.closeCode() != 0
                && connections(c -> told.contains(c.id()) && !c.open()).size() == 1);
        assertThat(stubborn.closeCode()).isEqualTo(1000);
        assertThat(connections(c -> told.contains(c.id()))).singleElement().satisfies(c -> {
            assertThat(c.disconnectReason()).isEqualTo("refresh_requested");
            assertThat(c.closedBy()).isEqualTo("emulator");
            assertThat(c.closeCode()).isEqualTo(1000);
        });
        String freshId = connections(SocketConnection::open).get(0).id();
        assertThat(settled(emulator(), 2)).extracting(SocketDelivery::ackedOn).containsOnly(freshId);
        assertThat(fresh.isOpen()).isTrue();
    }

    @Test
    void boltReconnectsWhenAskedAndItsEventsFollowOnTheNewConnection() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        bolt(EMULATOR.emulator(), heard);
        String before = connections(SocketConnection::open).get(0).id();

        assertThat(emulator().refreshSockets(CLIENT_ID)).containsExactly(before);

        await().atMost(Duration.ofSeconds(10)).until(() -> connections(c -> !c.open()).size() == 1
                && connections(SocketConnection::open).size() == 1);
        assertThat(connections(c -> c.id().equals(before))).singleElement()
                .satisfies(c -> assertThat(c.disconnectReason()).isEqualTo("refresh_requested"))
                .satisfies(c -> assertThat(c.closedBy()).as("the SDK closes the old one itself").isEqualTo("app"));
        uninstall(EMULATOR.emulator());
        String after = connections(SocketConnection::open).get(0).id();
        assertThat(settled(emulator(), 2)).extracting(SocketDelivery::status, SocketDelivery::ackedOn)
                .containsOnly(tuple(Status.ACKED, after));
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 2);
    }

    @Test
    void dropClosesTheConnectionsWithoutAClosingHandshake() throws Exception {
        RawSocket dropped = connect(true);

        List<String> ids = emulator().dropSockets(CLIENT_ID);

        await().atMost(Duration.ofSeconds(5)).until(() -> dropped.closeCode() != 0
                && connections(c -> ids.contains(c.id()) && !c.open()).size() == 1);
        assertThat(dropped.closeCode()).isEqualTo(1006);
        assertThat(connections(c -> ids.contains(c.id()))).singleElement().satisfies(c -> {
            assertThat(c.closedBy()).isEqualTo("emulator");
            assertThat(c.closeCode()).isEqualTo(1006);
        });
        assertThat(emulator().dropSockets(CLIENT_ID)).isEmpty();
    }

    @Test
    void anIssuedAppTokenOpensConnectionsUntilAResetWhichClosesThemAndKeepsTheConfiguredToken() throws Exception {
        String issued = emulator().issueAppToken(CLIENT_ID);
        RawSocket socket = RawSocket.connect(url(EMULATOR.emulator(), issued), true);
        opened.add(socket::closeBlocking);
        assertThat(issued).startsWith("xapp-1-" + APP_ID + "-");
        assertThat(socket.next().path("type").asText()).isEqualTo("hello");

        emulator().reset();

        await().atMost(Duration.ofSeconds(5)).until(() -> socket.closeCode() != 0);
        assertThat(socket.closeCode()).isEqualTo(1001);
        assertThat(EMULATOR.slack().methods().appsConnectionsOpen(r -> r.token(issued)).getError())
                .isEqualTo("invalid_auth");
        assertThat(url(EMULATOR.emulator(), APP_TOKEN)).startsWith("ws://");
        assertThat(emulator().socketConnections()).isEmpty();
        assertThatThrownBy(() -> emulator().issueAppToken("no-such-app")).hasMessageContaining("404");
    }

    @Test
    void aDisconnectNamesOneOfSlacksReasons() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(EMULATOR.emulator().inspectionUrl() + "socket-mode/disconnect"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"client_id\":\"" + CLIENT_ID + "\",\"reason\":\"later\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("refresh_requested", "later");
    }
}
