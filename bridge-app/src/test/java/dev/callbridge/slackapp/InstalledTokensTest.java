package dev.callbridge.slackapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.model.builtin.DefaultInstaller;
import com.sun.net.httpserver.HttpServer;
import dev.callbridge.installations.KafkaInstallationService;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.installations.WorkspaceToken;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.slack.SlackErrorCodes;
import dev.callbridge.slack.SlackToken;
import dev.callbridge.slack.SlackTokens;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.Topic;
import dev.callbridge.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dispatcher's tokens from installations on a real broker, with Slack's {@code oauth.v2.access}
 * answered by a local server that can be slow or refuse, as Slack sometimes is.
 */
class InstalledTokensTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final TokenCipher CIPHER = TokenCipher.parseKeys(TokenCipher.newKey("k1"));
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final SlackAppConfig APP = new SlackAppConfig("C1D", "client-secret", "signing-secret",
            "calls:write", null, SlackAppConfig.SLACK_AUTHORIZE_URL, "unused", Duration.ofMinutes(15), null);

    private final AtomicLong answerDelayMillis = new AtomicLong();
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final ExecutorService rotations = Executors.newSingleThreadExecutor();
    private HttpServer oauth;
    private Slack slack;
    private KafkaInstallationService installations;
    private KafkaInstallationService otherInstance;

    @BeforeEach
    void start() throws IOException {
        oauth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        oauth.createContext("/api/oauth.v2.access", exchange -> {
            refreshes.incrementAndGet();
            try {
                Thread.sleep(answerDelayMillis.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = answer.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        oauth.setExecutor(Executors.newCachedThreadPool());
        oauth.start();
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix("http://127.0.0.1:" + oauth.getAddress().getPort() + "/api/");
        slack = Slack.getInstance(config);
        Topic<String, byte[]> topic = Topics.withPrefix("tokens" + TOPICS.incrementAndGet() + "-",
                CloudEventCodec.DEFAULT_MAX_RECORD_BYTES).installations();
        KAFKA.createTopics(1, topic.name());
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        installations = new KafkaInstallationService(client, topic, CIPHER, Clock.systemUTC()).start();
        otherInstance = new KafkaInstallationService(client, topic, CIPHER, Clock.systemUTC()).start();
    }

    @AfterEach
    void stop() throws Exception {
        rotations.shutdownNow();
        installations.close();
        otherInstance.close();
        slack.close();
        oauth.stop(0);
    }

    private InstalledTokens tokens(SlackTokens configured) {
        return new InstalledTokens(configured, installations, slack, APP, REQUEST_TIMEOUT, rotations,
                Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private static SlackTokens none() {
        return new SlackTokens(null, Map.of());
    }

    private void install(String team, String access, Duration expiresIn) {
        DefaultInstaller installer = new DefaultInstaller();
        installer.setAppId("A0BRIDGE");
        installer.setTeamId(team);
        installer.setBotUserId("U0BRIDGEBOT");
        installer.setBotScope("calls:write");
        installer.setBotAccessToken(access);
        installer.setBotRefreshToken("xoxe-1-refresh-" + access);
        installer.setBotTokenExpiresAt(Instant.now().plus(expiresIn).toEpochMilli());
        installations.saveInstallerAndBot(installer);
    }

    private void slackRotatesTo(String access) {
        answer.set("{\"ok\":true,\"access_token\":\"" + access + "\",\"refresh_token\":\"xoxe-1-refresh-" + access
                + "\",\"expires_in\":43200,\"token_type\":\"bot\",\"team\":{\"id\":\"T0ACME\"}}");
    }

    private static String revealed(Optional<SlackToken> token) {
        return token.map(SlackToken::reveal).orElse(null);
    }

    @Test
    void aTokenConfiguredForTheWorkspaceWinsOverItsInstallation() {
        install("T0ACME", "xoxb-installed", Duration.ofHours(12));
        InstalledTokens tokens = tokens(new SlackTokens(null, Map.of("T0ACME", new SlackToken("xoxb-configured"))));

        assertThat(revealed(tokens.forWorkspace("T0ACME"))).isEqualTo("xoxb-configured");
        assertThat(tokens.forWorkspace("T0OTHER")).isEmpty();
        assertThat(tokens.missing("T0OTHER")).isEqualTo(SlackErrorCodes.NO_TOKEN);
    }

    @Test
    void aTokenThatWouldExpireDuringARequestIsRotatedBeforeItIsUsedAndTheNewOneStored() {
        install("T0ACME", "xoxe.xoxb-old", Duration.ofSeconds(5));
        long version = installations.botToken(null, "T0ACME").orElseThrow().version();
        slackRotatesTo("xoxe.xoxb-new");

        assertThat(revealed(tokens(none()).forWorkspace("T0ACME"))).isEqualTo("xoxe.xoxb-new");

        await().atMost(Duration.ofSeconds(10)).until(() -> otherInstance.botToken(null, "T0ACME").orElseThrow().version() != version);
        assertThat(otherInstance.botToken(null, "T0ACME").orElseThrow().accessToken().reveal()).isEqualTo("xoxe.xoxb-new");
        assertThat(refreshes).hasValue(1);
    }

    @Test
    void aWorkerWaitsForASlowRotationOnlyBrieflyAndItsOperationIsRetriedAsTokenRotating() {
        install("T0ACME", "xoxe.xoxb-old", Duration.ofSeconds(5));
        slackRotatesTo("xoxe.xoxb-new");
        answerDelayMillis.set(4_000);
        InstalledTokens tokens = tokens(none());

        long started = System.nanoTime();
        Optional<SlackToken> during = tokens.forWorkspace("T0ACME");
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(during).as("never the expiring token").isEmpty();
        assertThat(waited).isBetween(Duration.ofMillis(1_500), Duration.ofMillis(3_500));
        assertThat(tokens.missing("T0ACME")).isEqualTo(SlackErrorCodes.TOKEN_ROTATING);
        assertThat(tokens.forWorkspace("T0ACME")).as("a second worker joins the same rotation").isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(revealed(tokens.forWorkspace("T0ACME"))).isEqualTo("xoxe.xoxb-new"));
        assertThat(refreshes).as("one rotation for both workers").hasValue(1);
    }

    @Test
    void whenAnotherInstanceRotatedFirstItsStoredTokenIsUsed() {
        install("T0ACME", "xoxe.xoxb-old", Duration.ofSeconds(5));
        WorkspaceToken old = installations.botToken(null, "T0ACME").orElseThrow();
        answer.set("{\"ok\":false,\"error\":\"invalid_refresh_token\"}");
        answerDelayMillis.set(300);
        // The other instance stores its rotation while this one's refresh is refused.
        Executors.newSingleThreadExecutor().execute(() -> otherInstance.tokenRotated(null, "T0ACME",
                "xoxe.xoxb-by-other", "xoxe-1-by-other", Instant.now().plus(Duration.ofHours(12)), old.version()));

        assertThat(revealed(tokens(none()).forWorkspace("T0ACME"))).isEqualTo("xoxe.xoxb-by-other");
    }

    @Test
    void aWorkspaceThatRemovedTheAppIsRefusedAtOnceUnlessATokenIsConfiguredForIt() {
        install("T0ACME", "xoxb-installed", Duration.ofHours(12));
        install("T0OTHER", "xoxb-other", Duration.ofHours(12));
        installations.remove(null, "T0ACME", "app_uninstalled");

        InstalledTokens tokens = tokens(none());
        assertThat(tokens.refused("T0ACME")).isEqualTo(SlackErrorCodes.APP_UNINSTALLED);
        assertThat(tokens.missing("T0ACME")).isEqualTo(SlackErrorCodes.APP_UNINSTALLED);
        assertThat(tokens.refused("T0OTHER")).isNull();
        assertThat(tokens.refused("T0NEVER")).isNull();
        assertThat(tokens(new SlackTokens(null, Map.of("T0ACME", new SlackToken("xoxb-configured")))).refused("T0ACME"))
                .isNull();

        install("T0ACME", "xoxb-again", Duration.ofHours(12));
        assertThat(tokens.refused("T0ACME")).as("installed again").isNull();
        assertThat(revealed(tokens.forWorkspace("T0ACME"))).isEqualTo("xoxb-again");
    }
}
