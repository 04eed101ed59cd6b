package dev.callbridge.emulator;

import static dev.callbridge.emulator.Installs.APP;
import static dev.callbridge.emulator.Installs.APP_ID;
import static dev.callbridge.emulator.Installs.CLIENT_ID;
import static dev.callbridge.emulator.Installs.CLIENT_SECRET;
import static dev.callbridge.emulator.Installs.REDIRECT_URI;
import static dev.callbridge.emulator.Installs.authorize;
import static dev.callbridge.emulator.Installs.code;
import static dev.callbridge.emulator.Installs.exchange;
import static dev.callbridge.emulator.Installs.install;
import static dev.callbridge.emulator.Installs.query;
import static dev.callbridge.emulator.Installs.redirectArguments;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.auth.AuthTestResponse;
import com.slack.api.methods.response.oauth.OAuthV2AccessResponse;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.FormBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Installing an app: the authorize page, {@code oauth.v2.access} with a code, and the bot token it buys. */
class OAuthInstallTest {

    private static final EmulatedApp OTHER_APP = EmulatedApp.of("3333.4444", "other-secret", "other-signing-secret");
    private static final List<Map<String, String>> HEARD = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass(() -> SlackSdk.emulatorBuilder()
            .rateLimits(RateLimits.unlimited())
            .app(APP)
            .app(OTHER_APP)
            .requestListener((method, params, receivedAt) -> HEARD.add(params))
            .build().start());

    @Test
    void allowingAtOnceWithTeamRedirectsWithACodeAndTheState() throws Exception {
        HttpResponse<String> response =
                authorize(EMULATOR.emulator(), query("calls:write") + "&team=T0XYZ&team_name=Acme");

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location)
                .startsWith(REDIRECT_URI + "?code=").endsWith("&state=s1"));
        assertThat(redirectArguments(response).get("code")).isNotBlank();
    }

    @Test
    void theCodeBuysABotTokenOfTheWorkspaceWithTheScopesAskedFor() throws Exception {
        String code = redirectArguments(authorize(EMULATOR.emulator(),
                query("calls:read calls:write") + "&team=T0XYZ&team_name=Acme")).get("code");

        OAuthV2AccessResponse response = exchange(EMULATOR.slack(), code);

        assertThat(response.isOk()).as(response.getError()).isTrue();
        assertThat(response.getAccessToken()).startsWith("xoxb-");
        assertThat(response.getTokenType()).isEqualTo("bot");
        assertThat(response.getScope()).isEqualTo("calls:read,calls:write");
        assertThat(response.getAppId()).isEqualTo(APP_ID);
        assertThat(response.getBotUserId()).isEqualTo("U11112222T0XYZ");
        assertThat(response.getTeam().getId()).isEqualTo("T0XYZ");
        assertThat(response.getTeam().getName()).isEqualTo("Acme");
        assertThat(response.getAuthedUser().getId()).isEqualTo("U0ADMINT0XYZ");
        assertThat(response.getEnterprise()).isNull();
        assertThat(response.isEnterpriseInstall()).isFalse();
        assertThat(response.getRefreshToken()).isNull();
        assertThat(response.getExpiresIn()).isNull();
        assertThat(EMULATOR.slack().methods(response.getAccessToken()).authTest(r -> r).getTeam()).isEqualTo("Acme");
    }

    @Test
    void theBotTokenWorksOnEveryMethodWithinItsScopes() throws Exception {
        String token = install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken();
        MethodsClient methods = EMULATOR.slack().methods(token);

        AuthTestResponse authTest = methods.authTest(r -> r);
        String callId = SlackSdk.addCall(methods, "pbx-1");

        assertThat(authTest.getTeamId()).isEqualTo("T0XYZ");
        assertThat(authTest.getUserId()).isEqualTo("U11112222T0XYZ");
        assertThat(authTest.getBotId()).isEqualTo("B11112222T0XYZ");
        assertThat(authTest.getTeam()).isEqualTo("emulated-t0xyz");
        assertThat(authTest.getHttpResponseHeaders().get("x-oauth-scopes"))
                .containsExactly("calls:read,calls:write,chat:write");
        assertThat(EMULATOR.emulator().client().call(callId)).hasValueSatisfying(
                call -> assertThat(call.teamId()).isEqualTo("T0XYZ"));
    }

    @Test
    void aTokenOnlyHasTheScopesGranted() throws Exception {
        String code =
                redirectArguments(authorize(EMULATOR.emulator(), query("calls:read") + "&team=T0XYZ")).get("code");
        String token = exchange(EMULATOR.slack(), code).getAccessToken();

        var post = EMULATOR.slack().methods(token).chatPostMessage(r -> r.channel("C0CALLS").text("x"));

        assertThat(post.getError()).isEqualTo("missing_scope");
        assertThat(post.getNeeded()).isEqualTo(Scopes.CHAT_WRITE);
    }

    @Test
    void installingAgainIssuesANewTokenWithEveryScopeGrantedSoFarAndTheOldOneKeepsWorking() throws Exception {
        String first = exchange(EMULATOR.slack(), redirectArguments(authorize(EMULATOR.emulator(),
                query("calls:read") + "&team=T0XYZ")).get("code")).getAccessToken();

        OAuthV2AccessResponse again = exchange(EMULATOR.slack(), redirectArguments(authorize(EMULATOR.emulator(),
                query("chat:write") + "&team=T0XYZ")).get("code"));

        assertThat(again.getAccessToken()).isNotEqualTo(first);
        assertThat(again.getScope()).isEqualTo("calls:read,chat:write");
        assertThat(EMULATOR.slack().methods(first).authTest(r -> r).isOk()).isTrue();
        assertThat(EMULATOR.emulator().client().installations()).singleElement()
                .satisfies(installation -> assertThat(installation.liveAccessTokenIds()).hasSize(2));
    }

    @Test
    void aCodeBuysTokensOnce() throws Exception {
        String code = code(EMULATOR.emulator(), CLIENT_ID, "T0XYZ");
        exchange(EMULATOR.slack(), code);

        assertThat(exchange(EMULATOR.slack(), code).getError()).isEqualTo("invalid_code");
    }

    @Test
    void theClientCredentialsMustBeTheApps() throws Exception {
        String code = code(EMULATOR.emulator(), CLIENT_ID, "T0XYZ");

        assertThat(EMULATOR.slack().methods().oauthV2Access(r -> r.clientId("9999.9999").clientSecret(CLIENT_SECRET)
                .code(code).redirectUri(REDIRECT_URI)).getError()).isEqualTo("invalid_client_id");
        assertThat(EMULATOR.slack().methods().oauthV2Access(r -> r.clientId(CLIENT_ID).clientSecret("guess")
                .code(code).redirectUri(REDIRECT_URI)).getError()).isEqualTo("bad_client_secret");
        assertThat(EMULATOR.slack().methods().oauthV2Access(r -> r.clientId(OTHER_APP.clientId())
                .clientSecret(OTHER_APP.clientSecret()).code(code).redirectUri(REDIRECT_URI)).getError())
                .isEqualTo("invalid_code");
        assertThat(exchange(EMULATOR.slack(), code).isOk()).isTrue();
    }

    @Test
    void theRedirectUriMustBeTheAuthorizeRequestsAndAMismatchLeavesTheCodeUsable() throws Exception {
        String code = code(EMULATOR.emulator(), CLIENT_ID, "T0XYZ");

        assertThat(EMULATOR.slack().methods().oauthV2Access(r -> r.clientId(CLIENT_ID).clientSecret(CLIENT_SECRET)
                .code(code).redirectUri("https://elsewhere.example/callback")).getError())
                .isEqualTo("bad_redirect_uri");
        assertThat(EMULATOR.slack().methods().oauthV2Access(r -> r.clientId(CLIENT_ID).clientSecret(CLIENT_SECRET)
                .code(code)).getError()).isEqualTo("bad_redirect_uri");
        assertThat(exchange(EMULATOR.slack(), code).isOk()).isTrue();
    }

    @Test
    void anUnknownCodeOrGrantTypeIsRefused() throws Exception {
        assertThat(exchange(EMULATOR.slack(), "1.nosuchcode").getError()).isEqualTo("invalid_code");
        assertThat(EMULATOR.slack().methods().oauthV2Access(r -> r.clientId(CLIENT_ID).clientSecret(CLIENT_SECRET)
                .grantType("password")).getError()).isEqualTo("invalid_grant_type");
    }

    @Test
    void clientCredentialsMayComeAsFormFieldsAndTheAnswerSpellsOutSlacksNulls() throws Exception {
        FormBody form = new FormBody.Builder()
                .add("client_id", CLIENT_ID).add("client_secret", CLIENT_SECRET)
                .add("code", code(EMULATOR.emulator(), CLIENT_ID, "T0XYZ")).add("redirect_uri", REDIRECT_URI)
                .build();

        try (Response response = EMULATOR.slack().getHttpClient()
                .postForm(EMULATOR.emulator().baseUrl() + "oauth.v2.access", form)) {
            assertThat(response.body().string()).contains("\"ok\":true", "\"token_type\":\"bot\"",
                    "\"enterprise\":null", "\"is_enterprise_install\":false");
        }
    }

    @Test
    void theRequestListenerHearsNoCredentials() throws Exception {
        HEARD.clear();

        install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");

        assertThat(HEARD).singleElement().satisfies(params -> assertThat(params)
                .containsKeys("client_id", "redirect_uri")
                .doesNotContainKeys("client_secret", "code", "refresh_token"));
    }

    @Test
    void thePageListsTheWorkspacesEachWithAnAllowLinkAndOffersANewOneAndCancel() throws Exception {
        install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ");

        HttpResponse<String> page = authorize(EMULATOR.emulator(), query("calls:write"));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body())
                .contains("emulated-t0001 (T0001)", "emulated-t0002 (T0002)", "emulated-t0xyz (T0XYZ)")
                .contains("<a href=\"authorize?client_id=1111.2222&amp;scope=calls%3Awrite&amp;redirect_uri="
                        + "https%3A%2F%2Fbridge.example%2Fslack%2Foauth%2Fcallback&amp;state=s1&amp;team=T0002\">"
                        + "Allow</a>")
                .contains("<form method=\"get\" action=\"authorize\">", "name=\"team\"", "name=\"team_name\"",
                        "<input type=\"hidden\" name=\"client_id\" value=\"1111.2222\">")
                .contains("<a href=\"" + REDIRECT_URI + "?error=access_denied&amp;state=s1\">Cancel</a>");
    }

    @Test
    void followingAnAllowLinkInstallsInThatWorkspace() throws Exception {
        String page = authorize(EMULATOR.emulator(), query("calls:write")).body();
        int start = page.indexOf("authorize?", page.indexOf("(T0002)"));
        String link = page.substring(start, page.indexOf("\">Allow", start)).replace("&amp;", "&");

        HttpResponse<String> allowed = authorize(EMULATOR.emulator(), URI.create(link).getRawQuery());

        assertThat(exchange(EMULATOR.slack(), redirectArguments(allowed).get("code")).getTeam().getId())
                .isEqualTo("T0002");
    }

    @Test
    void aNewWorkspaceKeepsTheNameItWasGivenFirst() throws Exception {
        authorize(EMULATOR.emulator(), query("calls:write") + "&team=T0NEW&team_name=First+name");
        authorize(EMULATOR.emulator(), query("calls:write") + "&team=T0NEW&team_name=Second");

        assertThat(authorize(EMULATOR.emulator(), query("calls:write")).body()).contains("First name (T0NEW)")
                .doesNotContain("Second");
    }

    @Test
    void anUnknownAppABadRedirectUriAScopeTheAppMayNotAskForOrABadTeamIdGetsAPageWithTheReason() throws Exception {
        assertThat(authorize(EMULATOR.emulator(), query("calls:write").replace(CLIENT_ID, "9999.9999")))
                .satisfies(page -> assertThat(page.statusCode()).isEqualTo(400))
                .satisfies(page -> assertThat(page.body()).contains("invalid_client_id", "9999.9999"));
        assertThat(authorize(EMULATOR.emulator(), "client_id=" + CLIENT_ID + "&scope=calls:write").body())
                .contains("bad_redirect_uri");
        assertThat(authorize(EMULATOR.emulator(), query("calls:write admin"))).satisfies(page -> assertThat(page.body())
                .contains("invalid_scope: the app may not ask for admin"));
        assertThat(authorize(EMULATOR.emulator(), query("")).body()).contains("invalid_scope");
        assertThat(authorize(EMULATOR.emulator(), query("calls:write") + "&team=acme"))
                .satisfies(page -> assertThat(page.statusCode()).isEqualTo(400))
                .satisfies(page -> assertThat(page.body()).contains("invalid_team_id"));
    }

    @Test
    void anAppMayOnlyAskForTheScopesItMayGrant() throws Exception {
        try (SlackEmulator emulator = SlackEmulator.builder()
                .app(APP.withScopes(Set.of(Scopes.CALLS_WRITE))).build().start()) {
            assertThat(authorize(emulator, query("calls:write")).statusCode()).isEqualTo(200);
            assertThat(authorize(emulator, query("calls:write,chat:write")).body())
                    .contains("invalid_scope: the app may not ask for chat:write");
        }
    }

    @Test
    void authRevokeRevokesTheTokenButNotInTestMode() throws Exception {
        MethodsClient methods =
                EMULATOR.slack().methods(install(EMULATOR.emulator(), EMULATOR.slack(), "T0XYZ").getAccessToken());

        var test = methods.authRevoke(r -> r.test(true));
        assertThat(test.isOk()).isTrue();
        assertThat(test.isRevoked()).isFalse();
        assertThat(methods.authTest(r -> r).isOk()).isTrue();

        var revoke = methods.authRevoke(r -> r);
        assertThat(revoke.isRevoked()).isTrue();
        assertThat(methods.authTest(r -> r).getError()).isEqualTo("token_revoked");
        assertThat(methods.callsInfo(r -> r.id("R1")).getError()).isEqualTo("token_revoked");
    }
}
