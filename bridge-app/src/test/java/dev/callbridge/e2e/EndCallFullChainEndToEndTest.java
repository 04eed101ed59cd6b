package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.Interaction;
import dev.callbridge.emulator.MessageThread;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.ingress.IngressService;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.provider.emulator.CallSnapshot;
import dev.callbridge.provider.emulator.EndRequest;
import dev.callbridge.provider.emulator.Faults;
import dev.callbridge.provider.emulator.ProviderEmulator;
import dev.callbridge.provider.emulator.StartCall;
import dev.callbridge.provider.emulator.WebhookDelivery;
import dev.callbridge.service.BridgeService;
import dev.callbridge.slackapp.SlackApp;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.testkit.ProviderWebhooks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The telephony side of a call, every real part on one broker, as a Slack user sees it: a call dialled
 * on the voice-AI platform emulator comes to Slack through the platform's signed webhooks, {@code bridge
 * ingress}, Kafka and the bridge; someone not allowed to end calls presses its End call button in vain;
 * an allowed user's press goes through the Slack emulator to the bridge's Slack app (Bolt), which asks
 * the platform to end the call, whose webhooks then end it in Slack; and its analysis shows once in the
 * call's thread. The platform delivers every webhook twice, as a retrying sender may.
 */
class EndCallFullChainEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final EmulatedApp APP = EmulatedApp.of("5555.6666", "full-chain-client-secret",
            "full-chain-signing-secret");
    private static final String PROVIDER_KEY = "full-chain-provider-api-key";
    private static final String WEBHOOK_SECRET = "full-chain-webhook-secret";
    private static final String VOICE_AI = "urn:callbridge:voice-ai";
    private static final String ALLOWED = "U0ADA";
    private static final String NOT_ALLOWED = "U0EVE";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final EveryLogLine logs = new EveryLogLine();

    @Test
    void aPlatformCallShowsInSlackIsEndedFromItsButtonByAnAllowedUserOnlyAndIsAnalyzedOnce() {
        int port = AddToSlack.freePort();
        EmulatedApp app = APP.withEventsUrl("http://127.0.0.1:" + port + SlackApp.EVENTS_PATH);
        List<String> updates = new CopyOnWriteArrayList<>();
        try (ProviderEmulator platform = ProviderEmulator.builder().apiKey(PROVIDER_KEY).webhookSecret(WEBHOOK_SECRET)
                        .faults(Faults.none().withDuplicateWebhooks(true)).analysisDelay(Duration.ofMillis(500))
                        .build().start();
                BridgeRig rig = BridgeRig.start(KAFKA, "e2e-chain-", BridgeRig.demoEmulator().app(app)
                        .requestListener((method, params, at) -> {
                            if (method.equals(ApiMethod.CHAT_UPDATE.apiName())) {
                                updates.add(params.get("text"));
                            }
                        }))) {
            BridgeSettings settings = rig.appSettings("a", app, port, TokenCipher.newKey("k1"))
                    // The demo workspace is served by its configured token: the app is installed nowhere.
                    .with("BRIDGE_SLACK_DEFAULT_TEAM_ID", DemoWorkspace.TEAM)
                    .with("BRIDGE_PROVIDER_API_URL", platform.baseUrl())
                    .with("BRIDGE_PROVIDER_API_KEY", PROVIDER_KEY)
                    .with("BRIDGE_PROVIDER_ENDCALL_SOURCES", VOICE_AI)
                    .with("BRIDGE_SLACK_APP_ENDCALL_USERS", ALLOWED)
                    .with("BRIDGE_INGRESS_HTTP_PORT", "0")
                    // The platform's signature covers the body alone; the public URL matters to Twilio's only.
                    .with("BRIDGE_INGRESS_PUBLIC_URL", "http://127.0.0.1")
                    .with("BRIDGE_INGRESS_VOICEAI_WEBHOOK_SECRET", WEBHOOK_SECRET)
                    .with("BRIDGE_INGRESS_VOICEAI_JOIN_URL_TEMPLATE", platform.inspectionUrl() + "calls/{call_id}");
            BridgeService bridge = rig.startService(settings);
            IngressService ingress = rig.startIngress(settings);
            platform.client().targets(platform.client().targets()
                    .withWebhookUrl("http://127.0.0.1:" + ingress.httpPort() + ProviderWebhooks.VOICE_AI_PATH));

            // 1. Someone dials in: one Slack call, one call block, and the End call control in its thread.
            CallSnapshot call = platform.client().start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));
            String id = call.callId();
            await("the call and its End call control in Slack").atMost(WAIT).pollInterval(SlackExpectations.POLL)
                    .until(() -> delivered(platform, id, "call_started")
                    && BridgeRig.duplicates(bridge, "call.started") >= 1
                    && rig.expect.thread(id).map(thread -> thread.replies().size()).orElse(0) == 1);
            assertThat(rig.emulator().callsWithExternalId(id)).singleElement().satisfies(slackCall -> {
                assertThat(slackCall.title()).isEqualTo("Call with +15550199");
                assertThat(slackCall.joinUrl()).isEqualTo(platform.inspectionUrl() + "calls/" + id);
                assertThat(slackCall.users()).extracting(CallUser::externalId)
                        .containsExactlyInAnyOrder("+15550100", "agent:Ava");
                assertThat(slackCall.channels()).containsExactly(DemoWorkspace.CHANNEL);
                assertThat(slackCall.ended()).isFalse();
            });
            assertThat(rig.emulator().messages()).filteredOn(message -> !message.isReply() && !message.callIds().isEmpty())
                    .as("call blocks").hasSize(1);
            PostedMessage control = rig.expect.thread(id).orElseThrow().replies().get(0);
            assertThat(control.text()).isEqualTo("End this call from Slack");
            assertThat(control.blocks().at("/1/elements/0/action_id").asText()).isEqualTo("bridge_end_call");
            assertThat(control.blocks().at("/1/elements/0/style").asText()).isEqualTo("danger");
            assertThat(control.blocks().at("/1/elements/0/value").asText()).isEqualTo(id);

            // 2. Someone not allowed presses End call: told so, and the call goes on.
            Interaction refused = rig.clickEndCall(control.ts(), NOT_ALLOWED, id);
            assertThat(rig.expect.awaitAnswers(refused, 1)).singleElement().asString()
                    .startsWith("You are not allowed to end calls");
            assertThat(platform.client().endRequests()).as("end requests after a refused click").isEmpty();
            assertThat(platform.client().call(id).orElseThrow().ended()).isFalse();
            assertThat(rig.emulator().callsWithExternalId(id)).singleElement()
                    .satisfies(slackCall -> assertThat(slackCall.ended()).isFalse());
            assertThat(updates).as("messages changed after a refused click").isEmpty();

            // 3. The allowed user presses it: the platform ends the call in their name, and Slack shows it ended.
            Interaction ending = rig.clickEndCall(control.ts(), ALLOWED, id);
            assertThat(rig.expect.awaitAnswers(ending, 2)).containsExactly("Ending the call…", "The call has ended.");
            String reason = "Ended from Slack by <@" + ALLOWED + ">";
            assertThat(platform.client().endRequests()).singleElement().satisfies(request -> {
                assertThat(request.callId()).isEqualTo(id);
                assertThat(request.disconnectReason()).isEqualTo(reason);
                assertThat(request.outcome()).isEqualTo(EndRequest.ENDED);
            });
            await("the call shown ended in Slack").atMost(WAIT).pollInterval(SlackExpectations.POLL)
                    .until(() -> delivered(platform, id, "call_ended")
                    && BridgeRig.duplicates(bridge, "call.ended") >= 1
                    && rig.expect.thread(id).orElseThrow().replies().get(0).edits() == 2);
            CallSnapshot ended = platform.client().call(id).orElseThrow();
            assertThat(ended.disconnectReason()).isEqualTo(reason);
            assertThat(rig.emulator().callsWithExternalId(id)).singleElement().satisfies(slackCall -> {
                assertThat(slackCall.ended()).isTrue();
                assertThat(slackCall.duration()).as("duration in Slack").isNotNull().isEqualTo(ended.durationSeconds());
            });
            assertThat(updates).as("what the control message said, in turn")
                    .containsExactly("Ending… requested by <@" + ALLOWED + ">", "Call ended: " + reason);
            PostedMessage shownEnded = rig.expect.thread(id).orElseThrow().replies().get(0);
            assertThat(shownEnded.ts()).isEqualTo(control.ts());
            assertThat(shownEnded.text()).isEqualTo("Call ended: " + reason);
            assertThat(shownEnded.blocks().toString()).doesNotContain("bridge_end_call");

            // 4. The platform's analysis, delivered twice, shows once in the thread.
            await("the analysis in the thread").atMost(WAIT).pollInterval(SlackExpectations.POLL)
                    .until(() -> delivered(platform, id, "call_analyzed")
                    && BridgeRig.duplicates(bridge, "call.analyzed") >= 1
                    && rig.expect.thread(id).orElseThrow().replies().size() == 2);
            MessageThread thread = rig.expect.thread(id).orElseThrow();
            assertThat(thread.replies()).filteredOn(reply -> reply.metadata() != null
                    && reply.metadata().at("/event_payload/reply").asText().equals("analysis")).singleElement()
                    .satisfies(analysis -> {
                        assertThat(analysis.text()).startsWith("Call analysis (").contains("+15550100 spoke with Ava");
                        assertThat(analysis.blocks().toString()).contains("|Recording>", id + "/recording.wav");
                    });

            EmulatorStats stats = rig.emulator().stats();
            assertThat(stats.duplicateCallsAdd()).as("duplicate calls.add").isZero();
            assertThat(stats.of(ApiMethod.CALLS_ADD).ok()).as("calls.add").isEqualTo(1);
            assertThat(stats.of(ApiMethod.CALLS_END).ok()).as("calls.end").isEqualTo(1);
            assertThat(stats.of(ApiMethod.CHAT_POST_MESSAGE).ok()).as("call block, control and analysis").isEqualTo(3);
            rig.expect.assertNoSlackErrors();
            assertThat(platform.client().webhooks()).as("webhooks, each sent twice").hasSize(6)
                    .allSatisfy(webhook -> assertThat(webhook.attempts()).singleElement()
                            .satisfies(attempt -> assertThat(attempt.httpStatus()).isEqualTo(200)));
            assertThat(rig.committed(rig.topics.callEventsDeadLetters().name())).isEmpty();
            assertThat(rig.committed(rig.topics.callOpsDeadLetters().name())).isEmpty();
            assertThat(logs.lines()).as("log lines").isNotEmpty().noneMatch(line -> line.contains(PROVIDER_KEY)
                    || line.contains(WEBHOOK_SECRET) || line.contains(APP.signingSecret()));
        }
    }

    /** Whether both copies of the platform's {@code event} webhook for the call were taken by the ingress. */
    private static boolean delivered(ProviderEmulator platform, String callId, String event) {
        List<WebhookDelivery> sent = platform.client().webhooks().stream()
                .filter(webhook -> webhook.callId().equals(callId) && webhook.event().equals(event)).toList();
        return sent.size() == 2 && sent.stream().allMatch(webhook -> webhook.status() == WebhookDelivery.Status.DELIVERED);
    }
}
