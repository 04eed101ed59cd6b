package dev.callbridge.emulator;

import static dev.callbridge.emulator.Installs.APP;
import static dev.callbridge.emulator.Installs.CLIENT_ID;
import static dev.callbridge.emulator.Installs.CLIENT_SECRET;
import static dev.callbridge.emulator.Installs.install;
import static dev.callbridge.emulator.Installs.renew;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.slack.api.Slack;
import com.slack.api.methods.response.auth.AuthTestResponse;
import com.slack.api.methods.response.oauth.OAuthV2AccessResponse;
import com.slack.api.token_rotation.CurrentToken;
import com.slack.api.token_rotation.RefreshedToken;
import com.slack.api.token_rotation.TokenRotator;
import dev.callbridge.emulator.Installation.IssuedToken;
import dev.callbridge.emulator.Installation.TokenKind;
import dev.callbridge.emulator.Installation.TokenStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An app with token rotation: access tokens that expire, and refresh tokens that renew them once each. */
class TokenRotationTest {

    private static final Duration LIFETIME = Duration.ofHours(1);

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass(() -> SlackEmulator.builder()
            .app(APP.withTokenRotation(LIFETIME))
            .build().start());

    @Test
    void theCodeBuysAnAccessTokenThatExpiresAndARefreshToken() throws Exception {
        OAuthV2AccessResponse response = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");

        assertThat(response.getAccessToken()).startsWith("xoxb-");
        assertThat(response.getRefreshToken()).startsWith("xoxe-1-");
        assertThat(response.getExpiresIn()).isEqualTo(3600);
        assertThat(EMULATOR.emulator().client().installations()).singleElement()
                .satisfies(installation -> assertThat(installation.tokens())
                        .extracting(IssuedToken::kind, IssuedToken::status, token -> token.expiresAt() != null)
                        .containsExactly(
                                tuple(TokenKind.ACCESS, TokenStatus.LIVE, true),
                                tuple(TokenKind.REFRESH, TokenStatus.LIVE, false)));
    }

    @Test
    void aRefreshTokenBuysANewPairOnceAndTheOldAccessTokenLivesOnUntilItExpires() throws Exception {
        OAuthV2AccessResponse installed = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");

        OAuthV2AccessResponse renewed = renew(EMULATOR.slack(), installed.getRefreshToken());

        assertThat(renewed.isOk()).as(renewed.getError()).isTrue();
        assertThat(renewed.getAccessToken()).startsWith("xoxb-").isNotEqualTo(installed.getAccessToken());
        assertThat(renewed.getRefreshToken()).startsWith("xoxe-1-").isNotEqualTo(installed.getRefreshToken());
        assertThat(renewed.getExpiresIn()).isEqualTo(3600);
        assertThat(renewed.getTeam().getId()).isEqualTo("T0XYZ");
        assertThat(renewed.getBotUserId()).isEqualTo(installed.getBotUserId());
        assertThat(renew(EMULATOR.slack(), installed.getRefreshToken()).getError()).isEqualTo("invalid_refresh_token");
        assertThat(EMULATOR.slack().methods(installed.getAccessToken()).authTest(r -> r).isOk()).isTrue();
        assertThat(EMULATOR.slack().methods(renewed.getAccessToken()).authTest(r -> r).isOk()).isTrue();
        assertThat(renew(EMULATOR.slack(), renewed.getRefreshToken()).isOk()).isTrue();
        assertThat(EMULATOR.emulator().client().installations().get(0).tokens())
                .extracting(IssuedToken::kind, IssuedToken::status)
                .containsExactly(
                        tuple(TokenKind.ACCESS, TokenStatus.LIVE),
                        tuple(TokenKind.REFRESH, TokenStatus.USED),
                        tuple(TokenKind.ACCESS, TokenStatus.LIVE),
                        tuple(TokenKind.REFRESH, TokenStatus.USED),
                        tuple(TokenKind.ACCESS, TokenStatus.LIVE),
                        tuple(TokenKind.REFRESH, TokenStatus.LIVE));
    }

    @Test
    void onlyTheAppThatHoldsARefreshTokenMayUseIt() throws Exception {
        String refreshToken = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getRefreshToken();

        assertThat(EMULATOR.slack().methods().oauthV2Access(r -> r.clientId(CLIENT_ID).clientSecret("guess")
                .grantType("refresh_token").refreshToken(refreshToken)).getError()).isEqualTo("bad_client_secret");
        assertThat(renew(EMULATOR.slack(), "xoxe-1-nosuchtoken").getError()).isEqualTo("invalid_refresh_token");
        assertThat(renew(EMULATOR.slack(), refreshToken).isOk()).isTrue();
    }

    @Test
    void aRefreshTokenIsNoWebApiToken() throws Exception {
        String refreshToken = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getRefreshToken();

        assertThat(EMULATOR.slack().methods(refreshToken).authTest(r -> r).getError()).isEqualTo("invalid_auth");
    }

    @Test
    void theSdksTokenRotatorRenewsAgainstTheEmulator() throws Exception {
        OAuthV2AccessResponse installed = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");
        TokenRotator rotator = new TokenRotator(EMULATOR.slack().methods(), Duration.ofHours(2).toMillis(),
                CLIENT_ID, CLIENT_SECRET);
        long before = System.currentTimeMillis();

        RefreshedToken refreshed = rotator.performTokenRotation(CurrentToken.builder()
                .accessToken(installed.getAccessToken())
                .refreshToken(installed.getRefreshToken())
                .expiresAt(before + installed.getExpiresIn() * 1000L)
                .build()).orElseThrow();

        assertThat(refreshed.getExpiresAt())
                .isBetween(before + LIFETIME.toMillis(), System.currentTimeMillis() + LIFETIME.toMillis());
        assertThat(EMULATOR.slack().methods(refreshed.getAccessToken()).authTest(r -> r).isOk()).isTrue();
        assertThat(renew(EMULATOR.slack(), refreshed.getRefreshToken()).isOk()).isTrue();
    }

    @Test
    void anAccessTokenAnswersTokenExpiredOnceItsLifetimeIsOver() throws Exception {
        try (SlackEmulator emulator = SlackEmulator.builder()
                .app(APP.withTokenRotation(Duration.ofSeconds(2))).build().start()) {
            Slack slack = SlackSdk.slack(emulator);
            var methods = slack.methods(install(emulator, slack, "T0XYZ").getAccessToken());
            assertThat(methods.authTest(r -> r).isOk()).isTrue();

            AuthTestResponse expired = await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200))
                    .until(() -> methods.authTest(r -> r), response -> !response.isOk());

            assertThat(expired.getError()).isEqualTo("token_expired");
            assertThat(emulator.client().installations().get(0).liveAccessTokenIds()).isEmpty();
        }
    }
}
