package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.CallParticipant;
import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.CallBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.ConfirmationDialogObject;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.element.ButtonElement;
import com.sun.net.httpserver.HttpServer;
import dev.callbridge.emulator.Delivery;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.Interaction;
import dev.callbridge.slackapp.EndCallButton;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The call board served over HTTP from what a running Slack emulator holds, and its End call button,
 * which the emulator clicks in the name of the board's user and sends to the Slack app as Slack would.
 */
class CallBoardTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CHANNEL = "C0CALLS";
    private static final String USER = "U0DEMO";
    private static final String PROVIDER_CALL = "6f1c2a9e-0b1d-4c3e-9f00-5a1b2c3d4e5f";

    /** Stands in for the Slack app: answers each click with this status. */
    private static final AtomicInteger APP_ANSWERS = new AtomicInteger(200);
    private static final AtomicInteger CLICKS_AT_APP = new AtomicInteger();

    private static HttpServer app;
    private static EmulatedSlack slack;
    private static CallBoard board;
    private static String controlTs;
    private static String blockTs;

    @BeforeAll
    static void startSlackAnAppAndTheBoard() throws Exception {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/slack/events", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                CLICKS_AT_APP.incrementAndGet();
                exchange.sendResponseHeaders(APP_ANSWERS.get(), -1);
            }
        });
        app.start();
        slack = new EmulatedSlack(EmulatedApp.of("1.2", "client-secret", "signing-secret")
                .withEventsUrl("http://127.0.0.1:" + app.getAddress().getPort() + "/slack/events"));
        String callId = slack.addCall(call -> call.externalUniqueId(PROVIDER_CALL).joinUrl("https://meet.example/1")
                .title("Quarterly <review>")
                .users(List.of(CallParticipant.builder().externalId("tel:+155501").displayName("Priya Raman").build())));
        blockTs = slack.post(message -> message.channel(CHANNEL).text("A call")
                .blocks(List.of(CallBlock.builder().callId(callId).build())));
        controlTs = slack.post(message -> message.channel(CHANNEL).threadTs(blockTs).text("End this call from Slack")
                .blocks(List.of(
                        SectionBlock.builder().text(MarkdownTextObject.builder().text("End this call from Slack").build()).build(),
                        ActionsBlock.builder().blockId("end-call").elements(List.of(ButtonElement.builder()
                                .actionId(EndCallButton.ACTION_ID).text(PlainTextObject.builder().text("End call").build())
                                .style("danger").value(PROVIDER_CALL)
                                .confirm(ConfirmationDialogObject.builder()
                                        .title(PlainTextObject.builder().text("End this call?").build())
                                        .text(PlainTextObject.builder().text("The call is ended for everyone on it.").build())
                                        .confirm(PlainTextObject.builder().text("End call").build())
                                        .deny(PlainTextObject.builder().text("Keep it").build())
                                        .build())
                                .build())).build())));
        board = new CallBoard(0, slack.client(), null, USER).start();
    }

    @AfterAll
    static void stopThem() {
        board.stop();
        slack.close();
        app.stop(0);
    }

    @BeforeEach
    void theAppTakesClicks() {
        APP_ANSWERS.set(200);
    }

    @Test
    void thePageShowsTheCallsInSlackWithTheirThreads() throws Exception {
        HttpResponse<String> page = get("");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(CallBoardPage.CONTENT_SECURITY_POLICY);
        assertThat(page.body())
                .startsWith("<!DOCTYPE html>")
                .contains("<h2>Quarterly &lt;review&gt;</h2>")
                .contains("Priya Raman")
                .contains("<span class=\"badge live\">live</span>")
                .contains("<ul class=\"thread\"><li class=\"reply\"><p>End this call from Slack</p>")
                .contains("<button type=\"button\" class=\"end-call\" data-channel=\"C0CALLS\" data-ts=\"" + controlTs + "\"");
    }

    @Test
    void theBoardAloneIsWhatThePageRefetches() throws Exception {
        HttpResponse<String> fragment = get(CallBoardPage.BOARD_PATH.substring(1));

        assertThat(fragment.statusCode()).isEqualTo(200);
        assertThat(fragment.body()).contains("Quarterly &lt;review&gt;").doesNotContain("<html", "<script");
    }

    @Test
    void aClickOnTheBoardReachesTheAppAsTheBoardsUserOnTheButtonsMessage() throws Exception {
        int before = CLICKS_AT_APP.get();

        HttpResponse<String> answer = click("{\"channel\":\"C0CALLS\",\"ts\":\"" + controlTs + "\"}");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(CLICKS_AT_APP.get()).isEqualTo(before + 1);
        Interaction sent = slack.client().interactions().get(slack.client().interactions().size() - 1);
        assertThat(sent.userId()).isEqualTo(USER);
        assertThat(sent.teamId()).isEqualTo(EmulatedSlack.TEAM);
        assertThat(sent.channel()).isEqualTo(CHANNEL);
        assertThat(sent.messageTs()).isEqualTo(controlTs);
        assertThat(sent.actionId()).isEqualTo(EndCallButton.ACTION_ID);
        assertThat(sent.value()).isEqualTo(PROVIDER_CALL);
        assertThat(sent.status()).isEqualTo(Delivery.Status.DELIVERED);
    }

    @Test
    void aClickTheAppDoesNotAcknowledgeIsReportedToThePage() throws Exception {
        APP_ANSWERS.set(500);

        HttpResponse<String> answer = click("{\"channel\":\"C0CALLS\",\"ts\":\"" + controlTs + "\"}");

        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(answer.body()).contains("the Slack app did not take the click: http_error (HTTP 500)");
    }

    @Test
    void onlyAClickOnAnEndCallButtonIsForwarded() throws Exception {
        int before = slack.client().interactions().size();

        assertThat(click("{\"channel\":\"C0CALLS\",\"ts\":\"" + blockTs + "\"}").statusCode())
                .as("the call block has no End call button").isEqualTo(404);
        assertThat(click("{\"channel\":\"C0CALLS\",\"ts\":\"1.000001\"}").statusCode()).as("no such message").isEqualTo(404);
        assertThat(click("{\"channel\":\"C0CALLS\"}").statusCode()).as("no ts").isEqualTo(400);
        assertThat(click("not json").statusCode()).isEqualTo(400);
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(board.url() + "end-call"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("channel=C0CALLS&ts=" + controlTs)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).as("a form another site could post").isEqualTo(415);
        assertThat(slack.client().interactions()).hasSize(before);
    }

    @Test
    void aBoardWithoutAUserToClickAsHasNoButtons() throws Exception {
        try (CallBoard readOnly = new CallBoard(0, slack.client(), null, null).start()) {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(readOnly.url())).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> clicked = HTTP.send(HttpRequest.newBuilder(URI.create(readOnly.url() + "end-call"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"C0CALLS\",\"ts\":\"" + controlTs + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(page.body()).contains("End this call from Slack").doesNotContain("<button");
            assertThat(clicked.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        assertThat(get("calls.php").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(board.url()))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        HttpResponse<String> getClick = get("end-call");
        assertThat(getClick.statusCode()).isEqualTo(405);
        assertThat(getClick.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void anUnreachableEmulatorShowsAsUnavailable() throws Exception {
        try (CallBoard failing = new CallBoard(0, new EmulatorClient("http://127.0.0.1:1/_emulator/"), null, USER).start()) {
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(failing.url() + "board")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(503);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(board.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> click(String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(board.url() + "end-call"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
