package dev.callbridge.emulator;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.util.http.SlackHttpClient;
import java.io.IOException;
import java.util.Set;
import okhttp3.OkHttpClient;

/**
 * The official Slack SDK pointed at an emulator, and the tokens the tests use.
 *
 * <p>The synchronous {@code MethodsClient} neither retries nor queues, so a 429 reaches the caller as
 * a {@link SlackApiException}. Two SDK habits are switched off so that each test request is exactly
 * one emulator request: stats (with them on, the SDK sends an extra {@code auth.test} to learn each
 * token's team) and OkHttp's silent retry after a broken connection.
 */
final class SlackSdk {

    static final String TEAM = "T0001";
    static final String OTHER_TEAM = "T0002";
    static final String TOKEN = "xoxb-t1-all";
    static final String OTHER_TEAM_TOKEN = "xoxb-t2-all";
    static final String READ_ONLY_TOKEN = "xoxb-t1-read";
    static final String CHAT_ONLY_TOKEN = "xoxb-t1-chat";
    static final String USER_TOKEN = "xoxp-t1-user";
    static final String REVOKED_TOKEN = "xoxb-t1-revoked";
    static final String USER_OF_USER_TOKEN = "U0ALICE";
    static final String CREATOR = "U0CREATOR";

    private SlackSdk() {}

    /** An emulator with the test tokens, started; the caller stops it. */
    static SlackEmulator startEmulator(RateLimits rateLimits) {
        return emulatorBuilder().rateLimits(rateLimits).build().start();
    }

    static SlackEmulator.Builder emulatorBuilder() {
        return SlackEmulator.builder()
                .token(TOKEN, TEAM)
                .token(OTHER_TEAM_TOKEN, OTHER_TEAM)
                .token(TokenGrant.bot(READ_ONLY_TOKEN, TEAM, Set.of(Scopes.CALLS_READ)))
                .token(TokenGrant.bot(CHAT_ONLY_TOKEN, TEAM, Set.of(Scopes.CHAT_WRITE)))
                .token(TokenGrant.user(USER_TOKEN, TEAM, USER_OF_USER_TOKEN, Scopes.ALL))
                .revokedToken(REVOKED_TOKEN, TEAM);
    }

    static Slack slack(SlackEmulator emulator) {
        return slack(emulator, 10_000);
    }

    static Slack slack(SlackEmulator emulator, int readTimeoutMillis) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(emulator.baseUrl());
        config.setStatsEnabled(false);
        config.setHttpClientReadTimeoutMillis(readTimeoutMillis);
        OkHttpClient okHttp = SlackHttpClient.buildOkHttpClient(config).newBuilder()
                .retryOnConnectionFailure(false)
                .build();
        SlackHttpClient http = new SlackHttpClient(okHttp);
        http.setConfig(config);
        return Slack.getInstance(config, http);
    }

    static MethodsClient methods(SlackEmulator emulator) {
        return slack(emulator).methods(TOKEN);
    }

    /** A {@code calls.add} that succeeds, for tests about what happens to a call afterwards. */
    static String addCall(MethodsClient methods, String externalUniqueId) throws IOException, SlackApiException {
        var response = methods.callsAdd(r -> r
                .externalUniqueId(externalUniqueId)
                .joinUrl("https://pbx.example/join/" + externalUniqueId)
                .createdBy(CREATOR));
        if (!response.isOk()) {
            throw new AssertionError("calls.add failed: " + response.getError());
        }
        return response.getCall().getId();
    }
}
