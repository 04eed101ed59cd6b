package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.SocketConnection;
import dev.callbridge.emulator.SocketDelivery;
import dev.callbridge.installations.InstallationRecord;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import io.micrometer.core.instrument.Gauge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bridge as a Slack app that Slack cannot reach, end to end on a real broker and the emulator:
 * with an app-level token its events come over Socket Mode (the app has no request URL at all), an
 * uninstall removes the installation, and the connection outlives Slack asking it to reconnect and a
 * dropped network. No token shows in any log line or record.
 */
class SlackAppSocketModeEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final String CLIENT_ID = "3333.4444";
    private static final String CLIENT_SECRET = "socket-app-client-secret";
    private static final String SIGNING_SECRET = "socket-app-signing-secret";
    private static final EmulatedApp APP = EmulatedApp.of(CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET);
    private static final String APP_TOKEN = "xapp-1-A33334444-1-socket-mode-app-token";
    private static final String SOCKET_MODE_TOKEN = "BRIDGE_SLACK_APP_SOCKET_MODE_TOKEN";

    @RegisterExtension
    final EveryLogLine logs = new EveryLogLine();

    private final String keys = TokenCipher.newKey("k1");

    private BridgeSettings socketModeSettings(BridgeRig rig, int port, String appToken) {
        return rig.appSettings("a", APP, port, keys)
                .with(SOCKET_MODE_TOKEN, appToken)
                .shortSessions();
    }

    private static List<SocketConnection> open(BridgeRig rig) {
        return rig.emulator().socketConnections().stream().filter(SocketConnection::open).toList();
    }

    /** Waits for the bridge's one open connection, other than {@code previous}, and answers its id. */
    private static String connectedOtherThan(BridgeRig rig, String previous, Duration within) {
        return await().atMost(within).until(() -> open(rig), now -> now.size() == 1
                && !now.get(0).id().equals(previous)).get(0).id();
    }

    /** Whether the workspace's latest record on {@code slack.installations} records the app's removal. */
    private static boolean removed(BridgeRig rig, String team) {
        String key = InstallationRecord.key(null, team);
        Optional<ConsumerRecord<byte[], byte[]>> last = rig.committed(rig.topics.installations().name()).stream()
                .filter(record -> new String(record.key(), StandardCharsets.UTF_8).equals(key))
                .reduce((earlier, later) -> later);
        return last.isPresent() && new String(last.get().value(), StandardCharsets.UTF_8).contains("\"removed_at\"");
    }

    /** Uninstalls the app from {@code team} in Slack and waits until the bridge has deleted the installation. */
    private static void uninstallAndAwaitRemoval(BridgeRig rig, String team) {
        assertThat(removed(rig, team)).as("%s installed", team).isFalse();
        rig.emulator().uninstall(CLIENT_ID, team);
        await().atMost(Duration.ofSeconds(30)).until(() -> removed(rig, team));
    }

    private static double gauge(BridgeService bridge, String name) {
        Gauge gauge = bridge.metrics().registry().find(name).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    @Test
    void overSocketModeAnUninstallRemovesTheInstallationAcrossAReconnectRequestAndADroppedNetwork() throws Exception {
        int port = AddToSlack.freePort();
        // No events URL: Slack has no way to reach the bridge but the connection the bridge opens.
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-socket-", BridgeRig.demoEmulator().app(APP)
                .appToken(CLIENT_ID, APP_TOKEN))) {
            BridgeService bridge = rig.startService(socketModeSettings(rig, port, APP_TOKEN));
            String first = connectedOtherThan(rig, null, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(15)).until(() -> gauge(bridge, "bridge.slack.app.socket.connected") == 1);
            HttpResponse<String> events = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/slack/events")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(events.statusCode()).as("/slack/events is not served").isEqualTo(404);
            for (String team : List.of("T0SECOND", "T0THIRD", "T0FOURTH")) {
                AddToSlack.install(port, team);
            }

            uninstallAndAwaitRemoval(rig, "T0SECOND");

            // Slack asks for a reconnect, as it does every few hours: the SDK opens a new connection at once.
            rig.emulator().refreshSockets(CLIENT_ID);
            String second = connectedOtherThan(rig, first, Duration.ofSeconds(30));
            uninstallAndAwaitRemoval(rig, "T0THIRD");

            // The network drops the connection: the SDK notices and connects again by itself.
            rig.emulator().dropSockets(CLIENT_ID);
            assertThat(bridge.isReady()).as("ready without its socket: it still serves calls").isTrue();
            String third = connectedOtherThan(rig, second, Duration.ofSeconds(60));
            uninstallAndAwaitRemoval(rig, "T0FOURTH");

            List<SocketDelivery> deliveries = await().atMost(Duration.ofSeconds(10)).until(
                    () -> rig.emulator().socketDeliveries(), all -> all.size() == 6
                            && all.stream().allMatch(d -> d.status() == SocketDelivery.Status.ACKED));
            assertThat(deliveries).extracting(SocketDelivery::eventType, SocketDelivery::teamId, SocketDelivery::ackedOn)
                    .contains(tuple("app_uninstalled", "T0SECOND", first),
                            tuple("app_uninstalled", "T0THIRD", second),
                            tuple("app_uninstalled", "T0FOURTH", third));
            assertThat(rig.emulator().deliveries()).as("no Events API request over HTTP").isEmpty();
            assertThat(bridge.metrics().registry().find("bridge.slack.app.removals").tag("reason", "app_uninstalled")
                    .counter().count()).isEqualTo(3);

            rig.stopService(bridge);
            await().atMost(Duration.ofSeconds(10)).until(() -> open(rig).isEmpty());
            assertThat(rig.emulator().socketConnections()).filteredOn(c -> c.id().equals(third)).singleElement()
                    .satisfies(c -> assertThat(c.closedBy()).as("the bridge closes its connection").isEqualTo("app"));

            // Bolt's, the SDK's (Socket Mode included) and the bridge's logs, at their most detailed.
            assertThat(logs.lines()).as("log lines").hasSizeGreaterThan(100)
                    .anyMatch(line -> line.contains("Socket Mode"))
                    .noneMatch(line -> line.contains("xapp-") || line.contains("xoxb-") || line.contains("xoxe-")
                            || line.contains(CLIENT_SECRET) || line.contains(SIGNING_SECRET)
                            || line.contains(keys.substring(3)));
            for (ConsumerRecord<byte[], byte[]> record : rig.everyRecord()) {
                String value = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
                assertThat(value).doesNotContain("xapp-", "xoxb-");
            }
        }
    }

    @Test
    void anAppLevelTokenSlackRefusesStopsTheStartWithAnErrorNamingTheSettingNotTheToken() {
        int port = AddToSlack.freePort();
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-socket-refused-", BridgeRig.demoEmulator()
                .app(APP).appToken(CLIENT_ID, APP_TOKEN))) {
            BridgeService refused = new BridgeService(BridgeRig.config(
                    socketModeSettings(rig, port, "xapp-1-A33334444-9-revoked-long-ago")));
            try {
                assertThatThrownBy(refused::start).isInstanceOf(BridgeConfigException.class)
                        .hasMessageContaining(SOCKET_MODE_TOKEN + " (slack.app.socket.mode.token)")
                        .hasMessageContaining("invalid_auth")
                        .hasMessageNotContaining("revoked-long-ago");
            } finally {
                refused.stop();
            }
            assertThat(rig.emulator().socketConnections()).isEmpty();
        }
    }
}
