package dev.callbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.oauth.OAuthV2AccessResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test app, and its installs as a browser and the app's OAuth callback make them: the authorize
 * page with {@code &team=}, which redirects at once with a code, then {@code oauth.v2.access}
 * through the SDK.
 */
final class Installs {

    static final String CLIENT_ID = "1111.2222";
    static final String APP_ID = "A11112222";
    static final String CLIENT_SECRET = "client-secret-of-the-test-app";
    static final String SIGNING_SECRET = "signing-secret-of-the-test-app";
    static final String REDIRECT_URI = "https://bridge.example/slack/oauth/callback";
    static final String SCOPES = "calls:read,calls:write,chat:write";
    static final EmulatedApp APP = EmulatedApp.of(CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET);

    private static final HttpClient BROWSER =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private Installs() {}

    /** The authorize page's answer to {@code query}, its redirect not followed. */
    static HttpResponse<String> authorize(SlackEmulator emulator, String query)
            throws IOException, InterruptedException {
        return BROWSER.send(HttpRequest.newBuilder(URI.create(emulator.authorizeUrl() + "?" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The query of an install of the test app asking for {@code scopes}, with state {@code s1}. */
    static String query(String scopes) {
        return "client_id=" + CLIENT_ID + "&scope=" + encode(scopes) + "&redirect_uri=" + encode(REDIRECT_URI)
                + "&state=s1";
    }

    /** The code the authorize page hands out for an install of the app with {@code clientId} in {@code teamId}. */
    static String code(SlackEmulator emulator, String clientId, String teamId)
            throws IOException, InterruptedException {
        HttpResponse<String> response = authorize(emulator, "client_id=" + clientId + "&scope=" + encode(SCOPES)
                + "&redirect_uri=" + encode(REDIRECT_URI) + "&state=s1&team=" + teamId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        return redirectArguments(response).get("code");
    }

    /** The arguments of a redirect's location. */
    static Map<String, String> redirectArguments(HttpResponse<?> redirect) {
        String location = redirect.headers().firstValue("Location").orElseThrow();
        Map<String, String> arguments = new LinkedHashMap<>();
        for (String pair : location.substring(location.indexOf('?') + 1).split("&")) {
            int eq = pair.indexOf('=');
            arguments.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return arguments;
    }

    /** {@code oauth.v2.access} with the test app's credentials. */
    static OAuthV2AccessResponse exchange(Slack slack, String code) throws IOException, SlackApiException {
        return slack.methods().oauthV2Access(r -> r
                .clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).code(code).redirectUri(REDIRECT_URI));
    }

    /** Installs the test app in {@code teamId} with {@link #SCOPES}. */
    static OAuthV2AccessResponse install(SlackEmulator emulator, Slack slack, String teamId) throws Exception {
        OAuthV2AccessResponse response = exchange(slack, code(emulator, CLIENT_ID, teamId));
        assertThat(response.isOk()).as(response.getError()).isTrue();
        return response;
    }

    /** {@code oauth.v2.access} renewing with {@code refreshToken}. */
    static OAuthV2AccessResponse renew(Slack slack, String refreshToken) throws IOException, SlackApiException {
        return slack.methods().oauthV2Access(r -> r.clientId(CLIENT_ID).clientSecret(CLIENT_SECRET)
                .grantType("refresh_token").refreshToken(refreshToken));
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
