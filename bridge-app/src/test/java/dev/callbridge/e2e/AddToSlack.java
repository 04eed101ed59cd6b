package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.testkit.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser installing the bridge's Slack app: "Add to Slack" on the bridge, Allow on the emulator's
 * authorize page, and back to the bridge's OAuth callback with the state cookie.
 */
final class AddToSlack {

    private static final Pattern LINK = Pattern.compile("href=\"([^\"]*oauth/v2/authorize[^\"]*)\"");
    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private AddToSlack() {}

    /** A port nobody listens on yet, for a bridge whose OAuth redirect URL must be known before it starts. */
    static int freePort() {
        return Ports.free();
    }

    /** Clicks "Add to Slack" on the bridge at {@code port}, allows it for {@code team} and comes back to the bridge. */
    static void install(int port, String team) throws Exception {
        HttpResponse<String> start = BROWSER.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/slack/install")).build(), HttpResponse.BodyHandlers.ofString());
        String authorize = start.headers().firstValue("Location").orElseGet(() -> {
            Matcher link = LINK.matcher(start.body());
            assertThat(link.find()).as("an Add to Slack link in %s", start.body()).isTrue();
            return link.group(1).replace("&amp;", "&");
        });
        List<String> cookies = new ArrayList<>();
        start.headers().allValues("Set-Cookie").forEach(cookie -> cookies.add(cookie.split(";", 2)[0]));

        HttpResponse<String> allowed = BROWSER.send(HttpRequest.newBuilder(URI.create(authorize + "&team=" + team
                + "&team_name=Second")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).as("the authorize page sends the browser back").isEqualTo(302);
        String callback = allowed.headers().firstValue("Location").orElseThrow();

        HttpResponse<String> done = BROWSER.send(HttpRequest.newBuilder(URI.create(callback))
                .header("Cookie", String.join("; ", cookies)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as("the callback: %s", done.body()).isLessThan(400);
    }
}
