package dev.callbridge.slackapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.service.builtin.FileInstallationService;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.emulator.SocketConnection;
import dev.callbridge.testkit.Ports;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Slack app in Socket Mode on its own, against the emulator: what it serves, and a Slack out of reach at start. */
class SlackAppSocketTest {

    private static final String CLIENT_ID = "5555.6666";
    private static final String APP_TOKEN = "xapp-1-A55556666-1-socket-test";
    private static final EmulatedApp APP = EmulatedApp.of(CLIENT_ID, "client-secret", "signing-secret");

    @TempDir
    Path installs;

    @Test
    void slackOutOfReachAtStartIsTriedAgainUntilItAnswersAndOnlyTheInstallPagesAreServed() throws Exception {
        int port = Ports.free();
        SlackAppConfig config = new SlackAppConfig(CLIENT_ID, APP.clientSecret(), APP.signingSecret(), "calls:write",
                null, "http://127.0.0.1:" + port + "/oauth/v2/authorize", "k1:unused", Duration.ofMinutes(10), null,
                APP_TOKEN);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        try (SlackApp app = new SlackApp(config, "http://127.0.0.1:" + port + "/api/", Duration.ofSeconds(2),
                new FileInstallationService(AppConfig.builder().build(), installs.toString()), registry,
                Clock.systemUTC())) {
            app.start();
            assertThat(app.routes()).containsOnlyKeys(SlackApp.INSTALL_PATH, SlackApp.CALLBACK_PATH);

            try (SlackEmulator slack = SlackEmulator.builder().port(port).app(APP).appToken(CLIENT_ID, APP_TOKEN)
                    .build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> slack.client().socketConnections().stream()
                        .anyMatch(SocketConnection::open));
                Gauge connected = registry.find("bridge.slack.app.socket.connected").gauge();
                await().atMost(Duration.ofSeconds(15)).until(() -> connected.value() == 1);
            }
        }
    }
}
