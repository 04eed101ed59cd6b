package dev.callbridge.devkit.local;

import dev.callbridge.slackapp.SlackApp;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "Add to Slack" done as a browser does it: the bridge's install link, Allow on the emulator's
 * authorize page for a workspace, and back to the bridge's OAuth callback with the state cookie.
 * The demo installs its app in the demo workspace this way, because the app answers button clicks
 * only from workspaces it is installed in.
 */
final class BrowserInstall {

    private static final Pattern AUTHORIZE_LINK = Pattern.compile("href=\"([^\"]*oauth/v2/authorize[^\"]*)\"");

    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /**
     * Installs the app served at {@code bridgeUrl} in workspace {@code teamId}.
     *
     * @throws IllegalStateException when a step is not answered as an install goes
     */
    void install(String bridgeUrl, String teamId, String teamName) throws IOException, InterruptedException {
        HttpResponse<String> start = get(bridgeUrl + SlackApp.INSTALL_PATH, null);
        String authorize = start.headers().firstValue("Location").orElseGet(() -> {
            Matcher link = AUTHORIZE_LINK.matcher(start.body());
            if (!link.find()) {
                throw new IllegalStateException("the bridge's install page (HTTP " + start.statusCode()
                        + ") has no Add to Slack link");
            }
            return link.group(1).replace("&amp;", "&");
        });
        List<String> cookies = start.headers().allValues("Set-Cookie").stream()
                .map(cookie -> cookie.split(";", 2)[0]).toList();

        HttpResponse<String> allowed = get(authorize + "&team=" + teamId + "&team_name="
                + URLEncoder.encode(teamName, StandardCharsets.UTF_8), null);
        String callback = allowed.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException(
                "Slack's authorize page answered HTTP " + allowed.statusCode() + " instead of sending the browser back"));

        HttpResponse<String> done = get(callback, String.join("; ", cookies));
        if (done.statusCode() >= 400) {
            throw new IllegalStateException("the bridge's OAuth callback answered HTTP " + done.statusCode());
        }
    }

    private HttpResponse<String> get(String url, String cookies) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (cookies != null && !cookies.isEmpty()) {
            request.header("Cookie", cookies);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
