package dev.callbridge.emulator;

import static dev.callbridge.emulator.Installs.APP;
import static dev.callbridge.emulator.Installs.APP_ID;
import static dev.callbridge.emulator.Installs.CLIENT_ID;
import static dev.callbridge.emulator.Installs.REDIRECT_URI;
import static dev.callbridge.emulator.Installs.SIGNING_SECRET;
import static dev.callbridge.emulator.Installs.code;
import static dev.callbridge.emulator.Installs.install;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.Slack;
import com.slack.api.app_backend.SlackSignature;
import dev.callbridge.emulator.AppEndpoint.Received;
import dev.callbridge.emulator.Delivery.Status;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Events API requests to an app's events URL: what they carry, their signature, their retries. */
class EventsApiTest {

    private static final Duration RETRY_DELAY = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @RegisterExtension
    static final AppEndpoint ENDPOINT = new AppEndpoint();

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass(() -> SlackEmulator.builder()
            .app(APP.withEventsUrl(ENDPOINT.url()))
            .eventRetryDelays(RETRY_DELAY, RETRY_DELAY, RETRY_DELAY)
            .eventTimeout(TIMEOUT)
            .build().start());

    @Test
    void uninstallingSendsTokensRevokedThenAppUninstalledAndBoltAcceptsBoth() throws Exception {
        String token = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken();

        EMULATOR.emulator().client().uninstall(CLIENT_ID, "T0XYZ");

        assertThat(settledDeliveries(2)).extracting(Delivery::type, Delivery::teamId, Delivery::appId, Delivery::status)
                .containsExactly(
                        tuple("tokens_revoked", "T0XYZ", APP_ID, Status.DELIVERED),
                        tuple("app_uninstalled", "T0XYZ", APP_ID, Status.DELIVERED));
        assertThat(ENDPOINT.boltEvents()).containsExactly(
                "tokens_revoked T0XYZ bot=[U11112222T0XYZ]", "app_uninstalled T0XYZ app=" + APP_ID);
        assertThat(EMULATOR.slack().methods(token).authTest(r -> r).getError()).isEqualTo("token_revoked");
        assertThat(EMULATOR.emulator().client().installations()).isEmpty();
    }

    @Test
    void anEventComesInSlacksEnvelopeSignedWithTheSigningSecret() throws Exception {
        install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");
        long before = Instant.now().getEpochSecond();

        EMULATOR.emulator().client().uninstall(CLIENT_ID, "T0XYZ");
        settledDeliveries(2);

        Received request = ENDPOINT.received().get(0);
        String timestamp = request.header("X-Slack-Request-Timestamp");
        assertThat(Long.parseLong(timestamp)).isBetween(before, Instant.now().getEpochSecond());
        assertThat(request.header("X-Slack-Signature")).startsWith("v0=");
        assertThat(new SlackSignature.Verifier(new SlackSignature.Generator(SIGNING_SECRET))
                .isValid(timestamp, request.body(), request.header("X-Slack-Signature"))).isTrue();
        assertThat(new SlackSignature.Verifier(new SlackSignature.Generator("another-secret"))
                .isValid(timestamp, request.body(), request.header("X-Slack-Signature"))).isFalse();
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("X-Slack-Retry-Num")).isNull();
        JsonNode envelope = EmulatorJson.mapper().readTree(request.body());
        assertThat(envelope.path("type").asText()).isEqualTo("event_callback");
        assertThat(envelope.path("token").asText()).isNotBlank();
        assertThat(envelope.path("team_id").asText()).isEqualTo("T0XYZ");
        assertThat(envelope.path("api_app_id").asText()).isEqualTo(APP_ID);
        assertThat(envelope.path("event_id").asText()).startsWith("Ev");
        assertThat(envelope.path("event_time").asLong()).isBetween(before, Instant.now().getEpochSecond());
        assertThat(envelope.path("event").toString())
                .isEqualTo("{\"type\":\"tokens_revoked\",\"tokens\":{\"oauth\":[],\"bot\":[\"U11112222T0XYZ\"]}}");
        assertThat(envelope.path("authorizations").toString()).isEqualTo("[{\"enterprise_id\":null,"
                + "\"team_id\":\"T0XYZ\",\"user_id\":\"U11112222T0XYZ\",\"is_bot\":true,"
                + "\"is_enterprise_install\":false}]");
        assertThat(EmulatorJson.mapper().readTree(ENDPOINT.received().get(1).body()).path("event").toString())
                .isEqualTo("{\"type\":\"app_uninstalled\"}");
    }

    @Test
    void revokingATokenByControlOrByAuthRevokeSendsTokensRevoked() throws Exception {
        String token = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken();
        String second = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken();

        EMULATOR.emulator().client().revokeToken(liveTokenIds().get(0));
        EMULATOR.slack().methods(second).authRevoke(r -> r);

        assertThat(settledDeliveries(2)).extracting(Delivery::type).containsExactly("tokens_revoked", "tokens_revoked");
        assertThat(EMULATOR.slack().methods(token).authTest(r -> r).getError()).isEqualTo("token_revoked");
        assertThat(liveTokenIds()).isEmpty();
    }

    @Test
    void aFailedRequestIsRetriedWithItsNumberAndReasonUntilItIsAnswered() throws Exception {
        install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");
        ENDPOINT.answerNext(500);
        ENDPOINT.answerNext(502);

        EMULATOR.emulator().client().revokeToken(liveTokenIds().get(0));

        assertThat(settledDeliveries(1)).singleElement().satisfies(delivery -> {
            assertThat(delivery.status()).isEqualTo(Status.DELIVERED);
            assertThat(delivery.retries()).isEqualTo(2);
            assertThat(delivery.lastError()).isNull();
            assertThat(delivery.lastHttpStatus()).isEqualTo(200);
        });
        List<Received> attempts = ENDPOINT.received();
        assertThat(attempts).extracting(r -> r.header("X-Slack-Retry-Num"), r -> r.header("X-Slack-Retry-Reason"))
                .containsExactly(tuple(null, null), tuple("1", "http_error"), tuple("2", "http_error"));
        assertThat(attempts).extracting(r -> EmulatorJson.mapper().readTree(r.body()).path("event_id").asText())
                .containsOnly(settledDeliveries(1).get(0).eventId());
        assertThat(ENDPOINT.boltEvents()).containsExactly("tokens_revoked T0XYZ bot=[U11112222T0XYZ]");
    }

    @Test
    void anAnswerLaterThanTheTimeoutIsRetriedAsHttpTimeout() throws Exception {
        install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");
        ENDPOINT.answerNextLate(TIMEOUT.multipliedBy(2));

        EMULATOR.emulator().client().revokeToken(liveTokenIds().get(0));

        assertThat(settledDeliveries(1)).singleElement().satisfies(delivery -> {
            assertThat(delivery.status()).isEqualTo(Status.DELIVERED);
            assertThat(delivery.retries()).isEqualTo(1);
        });
        assertThat(ENDPOINT.received()).extracting(r -> r.header("X-Slack-Retry-Reason")).contains("http_timeout");
    }

    @Test
    void anAnswerThatIsNeverA2xxFailsAfterThreeRetries() throws Exception {
        install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");
        for (int i = 0; i < 4; i++) {
            ENDPOINT.answerNext(503);
        }

        EMULATOR.emulator().client().revokeToken(liveTokenIds().get(0));

        assertThat(settledDeliveries(1)).singleElement().satisfies(delivery -> {
            assertThat(delivery.status()).isEqualTo(Status.FAILED);
            assertThat(delivery.retries()).isEqualTo(3);
            assertThat(delivery.lastError()).isEqualTo("http_error");
            assertThat(delivery.lastHttpStatus()).isEqualTo(503);
        });
        assertThat(ENDPOINT.received()).hasSize(4);
    }

    @Test
    void anEventsUrlNobodyListensAtFailsAfterThreeRetriesAsConnectionFailed() throws Exception {
        EmulatedApp unreachable = EmulatedApp.of("5555.6666", "secret-5", "signing-5").withEventsUrl(unusedUrl());
        try (SlackEmulator emulator = SlackEmulator.builder().app(unreachable)
                .eventRetryDelays(RETRY_DELAY, RETRY_DELAY, RETRY_DELAY).build().start()) {
            Slack slack = SlackSdk.slack(emulator);
            String code = code(emulator, unreachable.clientId(), "T0XYZ");
            slack.methods().oauthV2Access(r -> r.clientId(unreachable.clientId()).clientSecret("secret-5")
                    .code(code).redirectUri(REDIRECT_URI));

            emulator.client().uninstall(unreachable.clientId(), "T0XYZ");

            assertThat(settled(emulator, 2)).allSatisfy(delivery -> {
                assertThat(delivery.status()).isEqualTo(Status.FAILED);
                assertThat(delivery.retries()).isEqualTo(3);
                assertThat(delivery.lastError()).isEqualTo("connection_failed");
                assertThat(delivery.lastHttpStatus()).isNull();
            });
        }
    }

    @Test
    void urlVerificationIsDeliveredWhenTheChallengeIsEchoed() {
        Delivery delivery = EMULATOR.emulator().client().verifyEventsUrl(CLIENT_ID);

        assertThat(delivery.type()).isEqualTo("url_verification");
        assertThat(delivery.status()).isEqualTo(Status.DELIVERED);
        assertThat(ENDPOINT.received()).singleElement().satisfies(request -> {
            JsonNode body = EmulatorJson.mapper().readTree(request.body());
            assertThat(body.path("type").asText()).isEqualTo("url_verification");
            assertThat(body.path("challenge").asText()).isNotBlank();
            assertThat(body.path("token").asText()).isNotBlank();
            assertThat(new SlackSignature.Verifier(new SlackSignature.Generator(SIGNING_SECRET)).isValid(
                    request.header("X-Slack-Request-Timestamp"), request.body(), request.header("X-Slack-Signature")))
                    .isTrue();
        });
        assertThat(EMULATOR.emulator().client().deliveries()).containsExactly(delivery);
    }

    @Test
    void urlVerificationFailsWithoutRetryWhenTheChallengeIsNotEchoed() {
        ENDPOINT.answerNextWith("{\"challenge\":\"something else\"}");

        Delivery delivery = EMULATOR.emulator().client().verifyEventsUrl(CLIENT_ID);

        assertThat(delivery.status()).isEqualTo(Status.FAILED);
        assertThat(delivery.lastError()).isEqualTo("challenge_mismatch");
        assertThat(delivery.lastHttpStatus()).isEqualTo(200);
        assertThat(ENDPOINT.received()).hasSize(1);
    }

    @Test
    void anAppWithoutAnEventsUrlHearsNothingAndCannotBeVerified() throws Exception {
        try (SlackEmulator emulator = SlackEmulator.builder().app(APP).build().start()) {
            install(emulator, SlackSdk.slack(emulator), "T0XYZ");
            emulator.client().uninstall(CLIENT_ID, "T0XYZ");

            assertThat(emulator.client().deliveries()).isEmpty();
            assertThatThrownBy(() -> emulator.client().verifyEventsUrl(CLIENT_ID))
                    .hasMessageContaining("400").hasMessageContaining("has no events URL");
        }
    }

    @Test
    void resetForgetsTheDeliveriesAndDropsTheRetriesStillDue() throws Exception {
        Duration delay = Duration.ofSeconds(1);
        try (SlackEmulator emulator = SlackEmulator.builder().app(APP.withEventsUrl(ENDPOINT.url()))
                .eventRetryDelays(delay, delay, delay).build().start()) {
            install(emulator, SlackSdk.slack(emulator), "T0XYZ");
            ENDPOINT.answerNext(500);
            emulator.client().revokeToken(emulator.client().installations().get(0).liveAccessTokenIds().get(0));
            await().atMost(Duration.ofSeconds(5)).until(() -> emulator.client().deliveries(),
                    deliveries -> deliveries.size() == 1 && "http_error".equals(deliveries.get(0).lastError()));

            emulator.client().reset();
            Thread.sleep(delay.plusMillis(500).toMillis());

            assertThat(emulator.client().deliveries()).isEmpty();
            assertThat(ENDPOINT.received()).hasSize(1);
        }
    }

    private static List<String> liveTokenIds() {
        return EMULATOR.emulator().client().installations().get(0).liveAccessTokenIds();
    }

    private static List<Delivery> settledDeliveries(int count) {
        return settled(EMULATOR.emulator(), count);
    }

    /** The emulator's deliveries once there are {@code count} of them and none is pending. */
    private static List<Delivery> settled(SlackEmulator emulator, int count) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> emulator.client().deliveries(),
                deliveries -> deliveries.size() == count
                        && deliveries.stream().noneMatch(delivery -> delivery.status() == Status.PENDING));
    }

    /** The URL of a port nobody listens at. */
    private static String unusedUrl() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/slack/events";
        }
    }
}
