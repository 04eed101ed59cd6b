package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.CallParticipant;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The call board served over HTTP from what a running Slack emulator holds. */
class CallBoardTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static EmulatedSlack slack;
    private static CallBoard board;

    @BeforeAll
    static void startSlackAndTheBoard() throws Exception {
        slack = new EmulatedSlack();
        slack.addCall(call -> call.externalUniqueId("pbx-1").joinUrl("https://meet.example/1")
                .title("Quarterly <review>")
                .users(List.of(CallParticipant.builder().externalId("tel:+155501").displayName("Priya Raman").build())));
        board = new CallBoard(0, slack.client()::calls, null).start();
    }

    @AfterAll
    static void stopThem() {
        board.stop();
        slack.close();
    }

    @Test
    void thePageShowsTheCallsInSlack() throws Exception {
        HttpResponse<String> page = get("");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(CallBoardPage.CONTENT_SECURITY_POLICY);
        assertThat(page.body())
                .startsWith("<!DOCTYPE html>")
                .contains("<h2>Quarterly &lt;review&gt;</h2>")
                .contains("Priya Raman")
                .contains("<span class=\"badge live\">live</span>");
    }

    @Test
    void theBoardAloneIsWhatThePageRefetches() throws Exception {
        HttpResponse<String> fragment = get(CallBoardPage.BOARD_PATH.substring(1));

        assertThat(fragment.statusCode()).isEqualTo(200);
        assertThat(fragment.body()).contains("Quarterly &lt;review&gt;").doesNotContain("<html", "<script");
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        assertThat(get("calls.php").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(board.url()))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void anUnreachableEmulatorShowsAsUnavailable() throws Exception {
        try (CallBoard failing = new CallBoard(0, () -> {
            throw new IllegalStateException("the Slack emulator did not answer");
        }, null).start()) {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(failing.url() + "board")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(503);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(board.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
