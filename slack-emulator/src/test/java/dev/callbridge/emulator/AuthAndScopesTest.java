package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.CHAT_ONLY_TOKEN;
import static dev.callbridge.emulator.SlackSdk.READ_ONLY_TOKEN;
import static dev.callbridge.emulator.SlackSdk.REVOKED_TOKEN;
import static dev.callbridge.emulator.SlackSdk.TEAM;
import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static dev.callbridge.emulator.SlackSdk.USER_OF_USER_TOKEN;
import static dev.callbridge.emulator.SlackSdk.USER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.response.auth.AuthTestResponse;
import com.slack.api.methods.response.calls.CallsAddResponse;
import okhttp3.FormBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Who may call what: tokens, their workspaces and their scopes. */
class AuthAndScopesTest {

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass();

    @Test
    void authTestTellsABotTokensWorkspaceUserAndBot() throws Exception {
        AuthTestResponse response = EMULATOR.slack().methods(TOKEN).authTest(r -> r);

        assertThat(response.isOk()).isTrue();
        assertThat(response.getTeamId()).isEqualTo(TEAM);
        assertThat(response.getUserId()).isEqualTo("U0BOT" + TEAM);
        assertThat(response.getBotId()).isEqualTo("B0" + TEAM);
        assertThat(response.getUrl()).isEqualTo("https://emulated-t0001.slack.com/");
        assertThat(response.getTeam()).isEqualTo("emulated-t0001");
        assertThat(response.getUser()).isNotBlank();
    }

    @Test
    void authTestTellsAUserTokensUserAndNoBot() throws Exception {
        AuthTestResponse response = EMULATOR.slack().methods(USER_TOKEN).authTest(r -> r);

        assertThat(response.getUserId()).isEqualTo(USER_OF_USER_TOKEN);
        assertThat(response.getBotId()).isNull();
    }

    @Test
    void noTokenIsNotAuthed() throws Exception {
        // Without a token the SDK's typed methods still send "Bearer null": post the bare form instead.
        FormBody form = new FormBody.Builder().add("id", "R1").build();

        try (Response response = EMULATOR.slack().getHttpClient().postForm(EMULATOR.emulator().baseUrl() + "calls.info", form)) {
            assertThat(response.body().string()).isEqualTo("{\"ok\":false,\"error\":\"not_authed\"}");
        }
    }

    @Test
    void anUnknownTokenIsInvalidAuth() throws Exception {
        assertThat(EMULATOR.slack().methods("xoxb-nobody").authTest(r -> r).getError()).isEqualTo("invalid_auth");
    }

    @Test
    void aRevokedTokenIsTokenRevoked() throws Exception {
        assertThat(EMULATOR.slack().methods(REVOKED_TOKEN).authTest(r -> r).getError()).isEqualTo("token_revoked");
        assertThat(EMULATOR.slack().methods(REVOKED_TOKEN).callsInfo(r -> r.id("R1")).getError()).isEqualTo("token_revoked");
    }

    @Test
    void aTokenWithoutTheMethodsScopeIsMissingScopeWithNeededAndProvided() throws Exception {
        CallsAddResponse add = EMULATOR.slack().methods(READ_ONLY_TOKEN).callsAdd(r -> r
                .externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1").createdBy("U0CREATOR"));

        assertThat(add.getError()).isEqualTo("missing_scope");
        assertThat(add.getNeeded()).isEqualTo(Scopes.CALLS_WRITE);
        assertThat(add.getProvided()).isEqualTo(Scopes.CALLS_READ);
        var info = EMULATOR.slack().methods(CHAT_ONLY_TOKEN).callsInfo(r -> r.id("R1"));
        assertThat(info.getError()).isEqualTo("missing_scope");
        assertThat(info.getNeeded()).isEqualTo(Scopes.CALLS_READ);
        var post = EMULATOR.slack().methods(READ_ONLY_TOKEN).chatPostMessage(r -> r.channel("C0CALLS").text("x"));
        assertThat(post.getNeeded()).isEqualTo(Scopes.CHAT_WRITE);
        assertThat(EMULATOR.emulator().client().calls()).isEmpty();
    }

    @Test
    void aTokenInTheFormBodyAuthenticatesLikeTheHeader() throws Exception {
        FormBody form = new FormBody.Builder().add("token", TOKEN).build();

        try (Response response = EMULATOR.slack().getHttpClient().postForm(EMULATOR.emulator().baseUrl() + "auth.test", form)) {
            assertThat(response.body().string()).contains("\"ok\":true", "\"team_id\":\"" + TEAM + "\"");
        }
    }
}
