package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.Interaction;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.provider.emulator.CallSnapshot;
import dev.callbridge.provider.emulator.EndRequest;
import dev.callbridge.provider.emulator.Faults;
import dev.callbridge.provider.emulator.ProviderEmulator;
import dev.callbridge.provider.emulator.StartCall;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End call from Slack, end to end: the bridge as a Slack app on a real broker, serving the demo
 * workspace of the Slack emulator with a configured token, clicks sent by the emulator as Slack sends them, and the voice-AI
 * platform emulator whose calls are ended.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndCallEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final String CLIENT_ID = "3333.4444";
    private static final String SIGNING_SECRET = "end-call-signing-secret";
    private static final String PROVIDER_KEY = "end-call-provider-api-key";
    private static final String ALLOWED = "U0ADA";
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(2);

    @RegisterExtension
    final EveryLogLine logs = new EveryLogLine();

    private ProviderEmulator provider;
    private BridgeRig rig;
    private BridgeService bridge;
    private Slack slack;

    @BeforeAll
    void start() throws Exception {
        provider = ProviderEmulator.builder().apiKey(PROVIDER_KEY).webhookSecret("unused-webhook-secret").build().start();
        int port = AddToSlack.freePort();
        EmulatedApp app = EmulatedApp.of(CLIENT_ID, "end-call-client-secret", SIGNING_SECRET)
                .withEventsUrl("http://127.0.0.1:" + port + "/slack/events");
        rig = BridgeRig.start(KAFKA, "e2e-endcall-", BridgeRig.demoEmulator().app(app));
        bridge = rig.startService(rig.appSettings("a", app, port, TokenCipher.newKey("k1"))
                .with("BRIDGE_PROVIDER_API_URL", provider.baseUrl())
                .with("BRIDGE_PROVIDER_API_KEY", PROVIDER_KEY)
                .with("BRIDGE_PROVIDER_ENDCALL_CONFIRM_TIMEOUT", "2s")
                .with("BRIDGE_SLACK_APP_ENDCALL_USERS", ALLOWED)
                // The demo workspace is served by its configured token, not an installation: its clicks count all the same.
                .with("BRIDGE_SLACK_DEFAULT_TEAM_ID", DemoWorkspace.TEAM));
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(rig.slack.baseUrl());
        config.setStatsEnabled(false);
        slack = Slack.getInstance(config);
    }

    @AfterAll
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
        if (provider != null) {
            provider.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    private CallSnapshot liveCall() {
        return provider.client().start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));
    }

    /** A message with the call's button, as the dispatcher posts one; its ts. */
    private String buttonMessage() throws Exception {
        return slack.methods(DemoWorkspace.TOKEN).chatPostMessage(r -> r.channel(DemoWorkspace.CHANNEL)
                .text("End this call from Slack")).getTs();
    }

    private List<EndRequest> endRequests(CallSnapshot call) {
        return provider.client().endRequests().stream().filter(r -> call.callId().equals(r.callId())).toList();
    }

    @Test
    void anAllowedUsersClickEndsTheCallAtTheProviderInTheirName() throws Exception {
        CallSnapshot call = liveCall();

        Interaction interaction = rig.clickEndCall(buttonMessage(), ALLOWED, call.callId());

        assertThat(rig.expect.awaitAnswers(interaction, 2)).containsExactly("Ending the call…", "The call has ended.");
        assertThat(provider.client().call(call.callId()).orElseThrow().ended()).isTrue();
        assertThat(endRequests(call)).singleElement().satisfies(request -> {
            assertThat(request.disconnectReason()).isEqualTo("Ended from Slack by <@" + ALLOWED + ">");
            assertThat(request.outcome()).isEqualTo(EndRequest.ENDED);
        });
        assertThat(bridge.metrics().registry().find("bridge.endcall.clicks").tag("outcome", "confirmed").counter())
                .isNotNull().satisfies(counter -> assertThat(counter.count()).isGreaterThanOrEqualTo(1));
        assertThat(logs.lines()).as("log lines").isNotEmpty().noneMatch(line -> line.contains(PROVIDER_KEY));
    }

    @Test
    void someoneNotAllowedIsToldSoAndTheProviderHearsNothing() throws Exception {
        CallSnapshot call = liveCall();

        Interaction interaction = rig.clickEndCall(buttonMessage(), "U0EVE", call.callId());

        assertThat(rig.expect.awaitAnswers(interaction, 1)).singleElement().asString()
                .startsWith("You are not allowed to end calls");
        assertThat(endRequests(call)).isEmpty();
        assertThat(provider.client().call(call.callId()).orElseThrow().ended()).isFalse();
    }

    @Test
    void aDoubleClickEndsTheCallOnce() throws Exception {
        CallSnapshot call = liveCall();
        String ts = buttonMessage();

        Interaction first = rig.clickEndCall(ts, ALLOWED, call.callId());
        Interaction second = rig.clickEndCall(ts, ALLOWED, call.callId());

        assertThat(rig.expect.awaitAnswers(second, 1)).containsExactly("This call is already being ended.");
        assertThat(rig.expect.awaitAnswers(first, 2)).containsExactly("Ending the call…", "The call has ended.");
        assertThat(endRequests(call)).hasSize(1);
    }

    @Test
    void aProviderThatAnswersEmptyWithoutEndingTheCallIsNotConfirmedAfterTheTimeout() throws Exception {
        CallSnapshot call = liveCall();
        provider.client().faults(Faults.none().withEndIgnored(true));
        try {
            long clicked = System.nanoTime();
            Interaction interaction = rig.clickEndCall(buttonMessage(), ALLOWED, call.callId());

            assertThat(rig.expect.awaitAnswers(interaction, 2)).containsExactly("Ending the call…",
                    "The voice platform has not confirmed within 2 s that the call ended; it may still be live."
                            + " You can try again.");
            assertThat(Duration.ofNanos(System.nanoTime() - clicked)).isGreaterThanOrEqualTo(CONFIRM_TIMEOUT);
            assertThat(endRequests(call)).extracting(EndRequest::outcome).containsExactly("ignored");
            assertThat(provider.client().call(call.callId()).orElseThrow().ended()).isFalse();
        } finally {
            provider.client().faults(Faults.none());
        }
    }
}
