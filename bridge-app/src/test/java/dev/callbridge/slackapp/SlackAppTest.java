package dev.callbridge.slackapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.slack.api.bolt.model.Bot;
import com.slack.api.bolt.model.Installer;
import com.slack.api.bolt.service.InstallationService;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Slack app's HTTP side: "Add to Slack" and the Events API with their signatures, over real HTTP. */
class SlackAppTest {

    private static final String SIGNING_SECRET = "test-signing-secret";
    private static final String AUTHORIZE = "http://127.0.0.1:9/oauth/v2/authorize";

    private final List<String> removed = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private HttpServer server;

    @BeforeEach
    void serve() throws Exception {
        SlackAppConfig config = new SlackAppConfig("C1D", "client-secret", SIGNING_SECRET, "calls:write,chat:write",
                "https://bridge.example/slack/oauth/callback", AUTHORIZE, "k1:unused", Duration.ofMinutes(10), null);
        SlackApp app = new SlackApp(config, "http://127.0.0.1:9/api/", Duration.ofSeconds(2), new RecordingInstallations(),
                registry, Clock.systemUTC());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.routes().forEach(server::createContext);
        server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HttpResponse<String> postEvent(String body, long timestamp, String signature) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(SlackApp.EVENTS_PATH))
                .header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(String body, long timestamp) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void addToSlackSendsTheBrowserToTheConfiguredAuthorizePageWithASignedState() throws Exception {
        HttpResponse<String> install = http.send(HttpRequest.newBuilder(uri(SlackApp.INSTALL_PATH)).build(),
                HttpResponse.BodyHandlers.ofString());

        String link = install.statusCode() == 302 ? install.headers().firstValue("Location").orElseThrow() : install.body();
        assertThat(link).contains(AUTHORIZE + "?client_id=C1D").contains("scope=calls%3Awrite%2Cchat%3Awrite")
                .contains("state=");
        assertThat(install.headers().allValues("Set-Cookie")).anyMatch(cookie -> cookie.contains("state"));
    }

    @Test
    void aSignedUrlVerificationIsAnsweredWithItsChallenge() throws Exception {
        String body = "{\"token\":\"t\",\"challenge\":\"c-123\",\"type\":\"url_verification\"}";
        long ts = now();

        HttpResponse<String> answer = postEvent(body, ts, sign(body, ts));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("c-123");
    }

    @Test
    void forgedAndReplayedSignaturesAreRefusedAndCounted() throws Exception {
        String body = "{\"token\":\"t\",\"challenge\":\"c-123\",\"type\":\"url_verification\"}";
        long ts = now();

        assertThat(postEvent(body, ts, "v0=" + "0".repeat(64)).statusCode()).isEqualTo(401);
        long stale = ts - Duration.ofMinutes(10).toSeconds();
        assertThat(postEvent(body, stale, sign(body, stale)).statusCode()).isEqualTo(401);
        assertThat(registry.counter("bridge.slack.app.refused").count()).isEqualTo(2.0);
    }

    @Test
    void anUninstallRemovesTheWorkspacesInstallation() throws Exception {
        String body = "{\"token\":\"t\",\"team_id\":\"T0GONE\",\"api_app_id\":\"A1\",\"type\":\"event_callback\","
                + "\"event_id\":\"Ev1\",\"event_time\":1,\"event\":{\"type\":\"app_uninstalled\"}}";
        long ts = now();

        HttpResponse<String> answer = postEvent(body, ts, sign(body, ts));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(removed).containsExactly("T0GONE");
    }

    @Test
    void aRevokedBotTokenRemovesTheInstallationButAUserTokenDoesNot() throws Exception {
        String user = "{\"token\":\"t\",\"team_id\":\"T0KEEP\",\"api_app_id\":\"A1\",\"type\":\"event_callback\","
                + "\"event_id\":\"Ev2\",\"event_time\":1,\"event\":{\"type\":\"tokens_revoked\",\"tokens\":{\"oauth\":[\"U1\"]}}}";
        String bot = "{\"token\":\"t\",\"team_id\":\"T0BOT\",\"api_app_id\":\"A1\",\"type\":\"event_callback\","
                + "\"event_id\":\"Ev3\",\"event_time\":1,\"event\":{\"type\":\"tokens_revoked\",\"tokens\":{\"bot\":[\"B1\"]}}}";
        long ts = now();

        assertThat(postEvent(user, ts, sign(user, ts)).statusCode()).isEqualTo(200);
        assertThat(postEvent(bot, ts, sign(bot, ts)).statusCode()).isEqualTo(200);

        assertThat(removed).containsExactly("T0BOT");
    }

    @Test
    void clientsThatNeverFinishTheirRequestsHoldOnlyTheAppsOwnThreadsAndTheRestAreTurnedAwayAtOnce() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            // Four requests hold the app's threads reading bodies that never come; sixty-four more wait in line.
            for (int i = 0; i < 4 + 64; i++) {
                Socket socket = new Socket("127.0.0.1", server.getAddress().getPort());
                socket.getOutputStream().write(("POST " + SlackApp.EVENTS_PATH + " HTTP/1.1\r\nHost: bridge\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                stalled.add(socket);
            }
            String body = "{\"token\":\"t\",\"challenge\":\"c-1\",\"type\":\"url_verification\"}";
            long ts = now();

            HttpResponse<String> turnedAway = await().atMost(Duration.ofSeconds(10))
                    .until(() -> postEvent(body, ts, sign(body, ts)), answer -> answer.statusCode() == 503);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(turnedAway.body()).contains("busy");
            assertThat(health.statusCode()).as("the probe is answered while the app's threads are held").isEqualTo(200);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        String body = "{\"token\":\"t\",\"challenge\":\"c-2\",\"type\":\"url_verification\"}";
        long ts = now();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(postEvent(body, ts, sign(body, ts)).statusCode()).as("served again").isEqualTo(200));
    }

    /** Remembers which workspaces were removed; stores nothing. */
    private final class RecordingInstallations implements InstallationService {
        @Override
        public boolean isHistoricalDataEnabled() {
            return false;
        }

        @Override
        public void setHistoricalDataEnabled(boolean enabled) {
        }

        @Override
        public void saveInstallerAndBot(Installer installer) {
        }

        @Override
        public void deleteBot(Bot bot) {
        }

        @Override
        public void deleteInstaller(Installer installer) {
        }

        @Override
        public void deleteAll(String enterpriseId, String teamId) {
            removed.add(teamId);
        }

        @Override
        public Bot findBot(String enterpriseId, String teamId) {
            return null;
        }

        @Override
        public Installer findInstaller(String enterpriseId, String teamId, String userId) {
            return null;
        }
    }
}
