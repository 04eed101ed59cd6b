package dev.callbridge.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.Faults;
import dev.callbridge.emulator.RateLimit;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.testkit.DemoWorkspace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bridge's Slack client against the emulator: what each kind of answer comes back as. */
class SdkSlackClientTest {

    private static final CallOp.AddCall ADD = new CallOp.AddCall("c1:1:calls.add", "c1", null,
            "https://pbx.example/j/c1", null, null, "Title", "U0CREATOR", 1_772_442_000L,
            List.of(Participant.slackUser("U0ONE")));

    private SlackEmulator slack;
    private SdkSlackClient client;

    private SdkSlackClient client(RateLimits limits, Faults faults) throws Exception {
        slack = DemoWorkspace.emulator()
                .rateLimits(limits).faults(faults).build().start();
        client = new SdkSlackClient(slack.baseUrl(), new SlackTokens(new SlackToken(DemoWorkspace.TOKEN), Map.of()),
                Duration.ofSeconds(2), 2);
        return client;
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    @Test
    void anAddedCallComesBackWithSlacksId() throws Exception {
        SlackAnswer answer = client(RateLimits.unlimited(), Faults.none()).send(ADD);
        assertThat(answer).isInstanceOfSatisfying(SlackAnswer.Ok.class,
                ok -> assertThat(ok.slackCallId()).isEqualTo(slack.client().calls().get(0).id()));
    }

    @Test
    void callsInfoComesBackWithThePeopleAndTheChannelsSlackShows() throws Exception {
        SdkSlackClient sdk = client(RateLimits.unlimited(), Faults.none());
        String slackCallId = ((SlackAnswer.Ok) sdk.send(ADD)).slackCallId();
        sdk.send(new CallOp.PostCallBlock("c1:2:chat.postMessage", "c1", null, slackCallId, "C0CALLS", "Title"));

        SlackAnswer answer = sdk.send(new CallOp.InspectCall("c1:k0:3:calls.info", "c1", null, slackCallId));

        assertThat(answer).isInstanceOfSatisfying(SlackAnswer.Info.class, info -> {
            assertThat(info.call().slackCallId()).isEqualTo(slackCallId);
            assertThat(info.call().participants()).containsExactly(Participant.slackUser("U0ONE"));
            assertThat(info.call().channels()).containsExactly("C0CALLS");
            assertThat(info.call().ended()).isFalse();
        });
    }

    @Test
    void a429ComesBackWithItsRetryAfter() throws Exception {
        SdkSlackClient sdk = client(RateLimits.unlimited().with(ApiMethod.CALLS_ADD, new RateLimit(1, 60)), Faults.none());
        sdk.send(ADD);
        assertThat(sdk.send(ADD)).isInstanceOfSatisfying(SlackAnswer.RateLimited.class,
                limited -> assertThat(limited.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(60)));
    }

    @Test
    void aDroppedConnectionIsNoAnswerAndIsNotResentBehindTheBridgesBack() throws Exception {
        SdkSlackClient sdk = client(RateLimits.unlimited(), Faults.none());
        sdk.send(ADD);
        // The HTTP client now holds a kept-alive connection: the one it would silently retry on.
        slack.client().faults(Faults.none().withSeed(1).withDrops(1.0, true));

        SlackAnswer answer = sdk.send(ADD);

        assertThat(answer).isInstanceOf(SlackAnswer.NoAnswer.class);
        assertThat(slack.client().stats().of(ApiMethod.CALLS_ADD).requests()).isEqualTo(2);
        assertThat(slack.client().calls()).hasSize(2);
    }

    @Test
    void aServerErrorComesBackAsItsStatus() throws Exception {
        assertThat(client(RateLimits.unlimited(), Faults.none().withSeed(1).withServerErrors(1.0)).send(ADD))
                .isInstanceOfSatisfying(SlackAnswer.HttpStatus.class, s -> assertThat(s.status()).isGreaterThanOrEqualTo(500));
    }

    @Test
    void anotherWorkspacesCallIsNeverSentWithTheDefaultWorkspacesToken() throws Exception {
        slack = DemoWorkspace.emulator().build().start();
        client = new SdkSlackClient(slack.baseUrl(),
                new SlackTokens(new SlackToken(DemoWorkspace.TOKEN), Map.of()).withDefaultTeamId(DemoWorkspace.TEAM),
                Duration.ofSeconds(2), 2);

        assertThat(client.send(addFor("T0ELSEWHERE"))).isEqualTo(new SlackAnswer.Error("no_token_configured"));
        assertThat(slack.client().stats().of(ApiMethod.CALLS_ADD).requests()).isZero();
        assertThat(client.send(addFor(DemoWorkspace.TEAM))).isInstanceOf(SlackAnswer.Ok.class);
    }

    private static CallOp.AddCall addFor(String teamId) {
        return new CallOp.AddCall(ADD.opId(), ADD.externalUniqueId(), teamId, ADD.joinUrl(), null, null, ADD.title(),
                ADD.createdBy(), ADD.dateStart(), ADD.users());
    }

    @Test
    void aWorkspaceWithoutATokenIsRefusedWithoutARequest() throws Exception {
        slack = DemoWorkspace.emulator().build().start();
        client = new SdkSlackClient(slack.baseUrl(), new SlackTokens(null, Map.of()), Duration.ofSeconds(2), 2);
        assertThat(client.send(ADD)).isEqualTo(new SlackAnswer.Error("no_token_configured"));
        assertThat(slack.client().stats().of(ApiMethod.CALLS_ADD).requests()).isZero();
    }

    /**
     * Answers that say nothing (a 2xx status without a body, a 200 that is not JSON) leave Slack's side
     * unknown: the dispatcher must treat them as no answer, never as a final refusal.
     */
    @Test
    void anAnswerThatSaysNothingIsNoAnswer() throws Exception {
        for (int status : new int[] {200, 204, 202}) {
            try (Answering server = new Answering(status, "")) {
                try (SdkSlackClient sdk = new SdkSlackClient(server.baseUrl(),
                        new SlackTokens(new SlackToken(DemoWorkspace.TOKEN), Map.of()), Duration.ofSeconds(2), 1)) {
                    assertThat(sdk.send(ADD)).as("HTTP %d without a body", status)
                            .isInstanceOf(SlackAnswer.NoAnswer.class);
                    assertThat(sdk.callInfo(DemoWorkspace.TEAM, "R0")).isInstanceOf(SlackCallInfo.Unavailable.class);
                }
            }
        }
        try (Answering server = new Answering(200, "<html>a proxy</html>");
                SdkSlackClient sdk = new SdkSlackClient(server.baseUrl(),
                        new SlackTokens(new SlackToken(DemoWorkspace.TOKEN), Map.of()), Duration.ofSeconds(2), 1)) {
            assertThat(sdk.send(ADD)).isInstanceOf(SlackAnswer.NoAnswer.class);
            assertThat(sdk.callInfo(DemoWorkspace.TEAM, "R0")).isInstanceOf(SlackCallInfo.Unavailable.class);
        }
    }

    /** An HTTP server that gives every request the same answer. */
    private static final class Answering implements AutoCloseable {

        private final HttpServer server;

        Answering(int status, String body) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, status == 204 || bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    exchange.getResponseBody().write(bytes);
                }
                exchange.close();
            });
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
