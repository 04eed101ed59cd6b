package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Installing the bridge's Slack app into an emulated workspace as a browser does: "Add to Slack", Allow, back to the bridge. */
final class AppInstall {

    private static final Pattern LINK = Pattern.compile("href=\"([^\"]*oauth/v2/authorize[^\"]*)\"");
    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private AppInstall() {}

    /** A port nothing listens on now, for a bridge whose URLs must be known before it starts. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Clicks "Add to Slack" on the bridge at {@code port}, allows it for {@code team} and comes back to the bridge. */
    static void install(int port, String team) throws IOException, InterruptedException {
        HttpResponse<String> start = BROWSER.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/slack/install")).build(), HttpResponse.BodyHandlers.ofString());
        String authorize = start.headers().firstValue("Location").orElseGet(() -> {
            Matcher link = LINK.matcher(start.body());
            assertThat(link.find()).as("an Add to Slack link in %s", start.body()).isTrue();
            return link.group(1).replace("&amp;", "&");
        });
        List<String> cookies = new ArrayList<>();
        start.headers().allValues("Set-Cookie").forEach(cookie -> cookies.add(cookie.split(";", 2)[0]));

        HttpResponse<String> allowed = BROWSER.send(HttpRequest.newBuilder(URI.create(authorize + "&team=" + team))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).as("the authorize page sends the browser back").isEqualTo(302);
        String callback = allowed.headers().firstValue("Location").orElseThrow();

        HttpResponse<String> done = BROWSER.send(HttpRequest.newBuilder(URI.create(callback))
                .header("Cookie", String.join("; ", cookies)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).as("the callback: %s", done.body()).isLessThan(400);
    }
}
