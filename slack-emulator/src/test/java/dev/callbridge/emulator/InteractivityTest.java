package dev.callbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.slack.api.Slack;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.model.block.Blocks;
import com.slack.api.model.block.composition.BlockCompositions;
import com.sun.net.httpserver.HttpServer;
import dev.callbridge.emulator.Delivery.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Clicks on an app's buttons: a signed block_actions request that Bolt takes, and the response URL it answers on. */
class InteractivityTest {

    private static final String CHANNEL = "C0CALLS";

    private final List<BlockActionPayload> clicks = new CopyOnWriteArrayList<>();
    private HttpServer appServer;
    private SlackEmulator emulator;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
        if (appServer != null) {
            appServer.stop(0);
        }
    }

    /** A Bolt app checking signatures with {@code signingSecret}, that answers a click with an ephemeral message. */
    private String startApp(String signingSecret) throws IOException {
        App bolt = new App(AppConfig.builder().signingSecret(signingSecret).build());
        bolt.blockAction("bridge_end_call", (request, context) -> {
            clicks.add(request.getPayload());
            context.respond(r -> r.responseType("ephemeral").text("Ending the call…")
                    .blocks(List.of(Blocks.section(s -> s.text(BlockCompositions.plainText("Ending the call…"))))));
            return context.ack();
        });
        SlackRequestParser parser = new SlackRequestParser(bolt.config());
        appServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        appServer.createContext("/slack/actions", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Response response = bolt.run(parser.parse(SlackRequestParser.HttpRequest.builder()
                        .requestUri("/slack/actions").queryString(Map.of())
                        .headers(new RequestHeaders(exchange.getRequestHeaders())).requestBody(body)
                        .remoteAddress("127.0.0.1").build()));
                exchange.sendResponseHeaders(response.getStatusCode(), -1);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            }
        });
        appServer.start();
        return "http://127.0.0.1:" + appServer.getAddress().getPort() + "/slack/actions";
    }

    private String postMessage() throws Exception {
        Slack slack = SlackSdk.slack(emulator);
        return slack.methods(SlackSdk.TOKEN).chatPostMessage(r -> r.channel(CHANNEL).text("End this call from Slack"))
                .getTs();
    }

    private void start(String appSecret, String boltSecret) throws IOException {
        String url = startApp(boltSecret);
        emulator = SlackSdk.emulatorBuilder()
                .app(EmulatedApp.of(Installs.CLIENT_ID, Installs.CLIENT_SECRET, appSecret).withInteractivityUrl(url))
                .build().start();
    }

    @Test
    void aClickReachesBoltSignedAndItsAnswerToTheResponseUrlIsKept() throws Exception {
        start(Installs.SIGNING_SECRET, Installs.SIGNING_SECRET);
        String ts = postMessage();

        Interaction interaction = emulator.client().click(
                Click.of(SlackSdk.TEAM, CHANNEL, ts, "U0ADA", "bridge_end_call", "call-42"));

        assertThat(interaction.status()).isEqualTo(Status.DELIVERED);
        assertThat(interaction.httpStatus()).isEqualTo(200);
        assertThat(clicks).singleElement().satisfies(payload -> {
            assertThat(payload.getUser().getId()).isEqualTo("U0ADA");
            assertThat(payload.getTeam().getId()).isEqualTo(SlackSdk.TEAM);
            assertThat(payload.getChannel().getId()).isEqualTo(CHANNEL);
            assertThat(payload.getContainer().getMessageTs()).isEqualTo(ts);
            assertThat(payload.getMessage().getTs()).isEqualTo(ts);
            assertThat(payload.getMessage().getText()).isEqualTo("End this call from Slack");
            assertThat(payload.getActions()).singleElement().satisfies(action -> {
                assertThat(action.getActionId()).isEqualTo("bridge_end_call");
                assertThat(action.getValue()).isEqualTo("call-42");
            });
            assertThat(payload.getTriggerId()).isEqualTo(interaction.triggerId());
            assertThat(payload.getResponseUrl()).isEqualTo(interaction.responseUrl());
        });
        assertThat(emulator.client().responses()).singleElement().satisfies(response -> {
            assertThat(response.interactionId()).isEqualTo(interaction.id());
            assertThat(response.ephemeral()).isTrue();
            assertThat(response.userId()).isEqualTo("U0ADA");
            assertThat(response.messageTs()).isEqualTo(ts);
            assertThat(response.text()).isEqualTo("Ending the call…");
            assertThat(response.blocks()).contains("\"section\"");
        });
        assertThat(emulator.client().interactions()).containsExactly(interaction);
    }

    @Test
    void aClickSignedWithAnotherSecretIsRefusedByBolt() throws Exception {
        start("another-signing-secret", Installs.SIGNING_SECRET);
        String ts = postMessage();

        Interaction interaction = emulator.client().click(
                Click.of(SlackSdk.TEAM, CHANNEL, ts, "U0ADA", "bridge_end_call", "call-42"));

        assertThat(interaction.status()).isEqualTo(Status.FAILED);
        assertThat(interaction.httpStatus()).isEqualTo(401);
        assertThat(clicks).isEmpty();
    }

    @Test
    void aClickOnAMessageNobodyPostedIsRefused() throws Exception {
        start(Installs.SIGNING_SECRET, Installs.SIGNING_SECRET);

        assertThatThrownBy(() -> emulator.client().click(
                Click.of(SlackSdk.TEAM, CHANNEL, "1700000000.000001", "U0ADA", "bridge_end_call", "call-42")))
                .hasMessageContaining("404").hasMessageContaining("no message 1700000000.000001");
    }

    @Test
    void aResponseUrlTakesFiveMessagesAndAnUnknownOneNone() throws Exception {
        start(Installs.SIGNING_SECRET, Installs.SIGNING_SECRET);
        Interaction interaction = emulator.client().click(
                Click.of(SlackSdk.TEAM, CHANNEL, postMessage(), "U0ADA", "bridge_end_call", "call-42"));
        HttpClient http = HttpClient.newHttpClient();

        // Bolt's handler has used the URL once already.
        List<Integer> statuses = new ArrayList<>();
        for (int n = 1; n < 5; n++) {
            statuses.add(post(http, interaction.responseUrl(), "{\"text\":\"update " + n + "\",\"replace_original\":true}"));
        }

        assertThat(statuses).containsOnly(200).hasSize(4);
        assertThat(post(http, interaction.responseUrl(), "{\"text\":\"one too many\"}")).isEqualTo(404);
        assertThat(post(http, interaction.responseUrl().replaceFirst("/[0-9a-f]+$", "/0000"), "{\"text\":\"x\"}"))
                .isEqualTo(404);
        assertThat(emulator.client().responses()).hasSize(5).last().satisfies(response -> {
            assertThat(response.replaceOriginal()).isTrue();
            assertThat(response.text()).isEqualTo("update 4");
        });
    }

    private static int post(HttpClient http, String url, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
