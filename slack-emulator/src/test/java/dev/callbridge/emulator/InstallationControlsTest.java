package dev.callbridge.emulator;

import static dev.callbridge.emulator.Installs.APP;
import static dev.callbridge.emulator.Installs.APP_ID;
import static dev.callbridge.emulator.Installs.CLIENT_ID;
import static dev.callbridge.emulator.Installs.install;
import static dev.callbridge.emulator.Installs.renew;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.oauth.OAuthV2AccessResponse;
import dev.callbridge.emulator.Installation.IssuedToken;
import dev.callbridge.emulator.Installation.TokenKind;
import dev.callbridge.emulator.Installation.TokenStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The inspection API's view of installs and its controls over them: uninstall, expire, revoke, reset. */
class InstallationControlsTest {

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass(() -> SlackSdk.emulatorBuilder()
            .rateLimits(RateLimits.unlimited())
            .app(APP.withTokenRotation(Duration.ofHours(1)))
            .build().start());

    @Test
    void installationsShowTheWorkspaceAppBotScopesAndTokenIdsButNoToken() throws Exception {
        long before = Instant.now().getEpochSecond();
        OAuthV2AccessResponse installed = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");

        Installation installation = EMULATOR.emulator().client().installations().get(0);

        assertThat(installation.clientId()).isEqualTo(CLIENT_ID);
        assertThat(installation.appId()).isEqualTo(APP_ID);
        assertThat(installation.teamId()).isEqualTo("T0XYZ");
        assertThat(installation.teamName()).isEqualTo("emulated-t0xyz");
        assertThat(installation.botUserId()).isEqualTo(installed.getBotUserId());
        assertThat(installation.installerUserId()).isEqualTo(installed.getAuthedUser().getId());
        assertThat(installation.scopes()).containsExactly("calls:read", "calls:write", "chat:write");
        assertThat(installation.installedAt()).isBetween(before, Instant.now().getEpochSecond());
        assertThat(installation.tokens()).extracting(IssuedToken::id)
                .allMatch(id -> id.matches("(access|refresh)-\\d+"));
        assertThat(get("installations")).doesNotContain(installed.getAccessToken(), installed.getRefreshToken())
                .contains("\"team_id\":\"T0XYZ\"", "\"kind\":\"ACCESS\"");
    }

    @Test
    void expiringAWorkspacesTokensMakesEveryOneOfThemAnswerTokenExpiredAndNoOtherWorkspaces() throws Exception {
        String first = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken();
        String second = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken();
        String elsewhere = install(EMULATOR.emulator(), EMULATOR.slack(), "T0ABC").getAccessToken();

        EMULATOR.emulator().client().expireTokens("T0XYZ");

        assertThat(EMULATOR.slack().methods(first).authTest(r -> r).getError()).isEqualTo("token_expired");
        assertThat(EMULATOR.slack().methods(second).callsInfo(r -> r.id("R1")).getError()).isEqualTo("token_expired");
        assertThat(EMULATOR.slack().methods(elsewhere).authTest(r -> r).isOk()).isTrue();
        assertThat(EMULATOR.slack().methods(SlackSdk.TOKEN).authTest(r -> r).isOk()).isTrue();
    }

    @Test
    void anExpiredAccessTokensRefreshTokenStillRenews() throws Exception {
        OAuthV2AccessResponse installed = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");

        EMULATOR.emulator().client().expireToken(tokenId(TokenKind.ACCESS));

        assertThat(EMULATOR.slack().methods(installed.getAccessToken()).authTest(r -> r).getError())
                .isEqualTo("token_expired");
        assertThat(status(TokenKind.ACCESS)).isEqualTo(TokenStatus.EXPIRED);
        OAuthV2AccessResponse renewed = renew(EMULATOR.slack(), installed.getRefreshToken());
        assertThat(EMULATOR.slack().methods(renewed.getAccessToken()).authTest(r -> r).isOk()).isTrue();
    }

    @Test
    void aRevokedTokenAnswersTokenRevoked() throws Exception {
        MethodsClient methods = EMULATOR.slack().methods(
                install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken());

        EMULATOR.emulator().client().revokeToken(tokenId(TokenKind.ACCESS));

        assertThat(methods.authTest(r -> r).getError()).isEqualTo("token_revoked");
        assertThat(status(TokenKind.ACCESS)).isEqualTo(TokenStatus.REVOKED);
    }

    @Test
    void aRevokedRefreshTokenRenewsNothingAndCannotBeExpired() throws Exception {
        String refreshToken = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getRefreshToken();

        EMULATOR.emulator().client().revokeToken(tokenId(TokenKind.REFRESH));

        assertThat(renew(EMULATOR.slack(), refreshToken).getError()).isEqualTo("invalid_refresh_token");
        assertThatThrownBy(() -> EMULATOR.emulator().client().expireToken(tokenId(TokenKind.REFRESH)))
                .hasMessageContaining("400").hasMessageContaining("does not expire");
    }

    @Test
    void uninstallingRevokesEveryTokenOfTheInstallAndForgetsIt() throws Exception {
        OAuthV2AccessResponse installed = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");
        install(EMULATOR.emulator(), EMULATOR.slack(), "T0ABC");

        EMULATOR.emulator().client().uninstall(CLIENT_ID, "T0XYZ");

        assertThat(EMULATOR.slack().methods(installed.getAccessToken()).authTest(r -> r).getError())
                .isEqualTo("token_revoked");
        assertThat(renew(EMULATOR.slack(), installed.getRefreshToken()).getError()).isEqualTo("invalid_refresh_token");
        assertThat(EMULATOR.emulator().client().installations()).extracting(Installation::teamId)
                .containsExactly("T0ABC");
    }

    @Test
    void aControlOnSomethingThatIsNotThereIsNotFoundAndAMalformedOneIsRefused() throws Exception {
        assertThatThrownBy(() -> EMULATOR.emulator().client().uninstall(CLIENT_ID, "T0NONE"))
                .hasMessageContaining("404").hasMessageContaining("not installed in T0NONE");
        assertThatThrownBy(() -> EMULATOR.emulator().client().expireTokens("T0NONE")).hasMessageContaining("404");
        assertThatThrownBy(() -> EMULATOR.emulator().client().revokeToken("access-0")).hasMessageContaining("404");
        assertThatThrownBy(() -> EMULATOR.emulator().client().verifyEventsUrl("9999.9999")).hasMessageContaining("404");
        assertThat(post("tokens/revoke", "{\"token\":\"access-1\"}")).satisfies(response -> {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("token_id is required");
        });
        assertThat(post("tokens/revoke", "{\"token_id\":\"access-1\",\"team\":\"T1\"}").body())
                .contains("unknown field team");
        assertThat(get("installations/uninstall")).contains("use POST");
    }

    @Test
    void resetForgetsInstallsAndIssuedTokensAndRestoresTheConfiguredOnes() throws Exception {
        String issued = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken();
        EMULATOR.slack().methods(SlackSdk.TOKEN).authRevoke(r -> r);
        assertThat(EMULATOR.slack().methods(SlackSdk.TOKEN).authTest(r -> r).getError()).isEqualTo("token_revoked");

        EMULATOR.emulator().client().reset();

        assertThat(EMULATOR.emulator().client().installations()).isEmpty();
        assertThat(EMULATOR.slack().methods(issued).authTest(r -> r).getError()).isEqualTo("invalid_auth");
        assertThat(EMULATOR.slack().methods(SlackSdk.TOKEN).authTest(r -> r).isOk()).isTrue();
        assertThat(EMULATOR.slack().methods(SlackSdk.REVOKED_TOKEN).authTest(r -> r).getError())
                .isEqualTo("token_revoked");
        assertThat(Installs.authorize(EMULATOR.emulator(), Installs.query("calls:write")).body())
                .doesNotContain("T0XYZ").contains("T0001");
    }

    private static String tokenId(TokenKind kind) {
        return EMULATOR.emulator().client().installations().get(0).tokens().stream()
                .filter(token -> token.kind() == kind).findFirst().orElseThrow().id();
    }

    private static TokenStatus status(TokenKind kind) {
        return EMULATOR.emulator().client().installations().get(0).tokens().stream()
                .filter(token -> token.kind() == kind).findFirst().orElseThrow().status();
    }

    private static String get(String resource) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(EMULATOR.emulator().inspectionUrl() + resource)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A control request the typed client cannot send, since it always sends the right fields. */
    private static HttpResponse<String> post(String resource, String json) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(EMULATOR.emulator().inspectionUrl() + resource))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
