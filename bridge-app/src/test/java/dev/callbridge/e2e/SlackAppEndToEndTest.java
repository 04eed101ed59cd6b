package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.MethodCounts;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.model.deadletter.DeadLetter;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bridge as a Slack app, end to end on a real broker and the emulator: a workspace installed
 * through "Add to Slack" while the bridge runs, its expiring token rotated, and an uninstall.
 */
class SlackAppEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final String CLIENT_ID = "1111.2222";
    private static final String CLIENT_SECRET = "app-client-secret-value";
    private static final String SIGNING_SECRET = "app-signing-secret-value";
    private static final EmulatedApp APP = EmulatedApp.of(CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET);
    private static final String SECOND = "T0SECOND";
    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final JsonSerde<OpResult> RESULTS = new JsonSerde<>(OpResult.class);

    @RegisterExtension
    final EveryLogLine logs = new EveryLogLine();

    private final String keys = TokenCipher.newKey("k1");

    private BridgeSettings appSettings(BridgeRig rig, String instance, int port) {
        return rig.appSettings(instance, APP, port, keys)
                .with("BRIDGE_SLACK_APP_TOKEN_REFRESH_BEFORE", "3s")
                .shortSessions();
    }

    private static CallEvents inSecondWorkspace(BridgeRig rig, String callId) {
        CallEvents call = CallEvents.sequenced(callId, "pbx-app", T0);
        rig.send(call.started(new CallEventData.Started("https://pbx.example/j/" + callId, null, null, "Call " + callId,
                "U0HOST", null, "C0SECOND", SECOND, List.of(Participant.slackUser("U0HOST")))));
        return call;
    }

    private static long errors(BridgeRig rig, String error) {
        return rig.emulator().stats().methods().values().stream()
                .mapToLong(counts -> counts.errors().getOrDefault(error, 0L)).sum();
    }

    @Test
    void aWorkspaceInstalledThroughOneInstanceIsServedByAnotherAndItsExpiringTokenIsRotatedWithNoFailedRequest()
            throws Exception {
        int portA = AddToSlack.freePort();
        int portB = AddToSlack.freePort();
        EmulatedApp app = APP
                .withEventsUrl("http://127.0.0.1:" + portA + "/slack/events")
                .withTokenRotation(Duration.ofSeconds(8));
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-app-", BridgeRig.demoEmulator().app(app))) {
            BridgeService first = rig.startService(appSettings(rig, "a", portA));
            BridgeService second = rig.startService(appSettings(rig, "b", portB));

            AddToSlack.install(portA, SECOND);
            // The instance the workspace was installed through goes away; the other one, never restarted, serves it.
            rig.stopService(first);
            List<String> calls = new ArrayList<>();
            for (int n = 0; n < 6; n++) {
                String callId = "app-call-" + n;
                calls.add(callId);
                CallEvents call = inSecondWorkspace(rig, callId);
                Thread.sleep(3_000);
                rig.send(call.after(Duration.ofSeconds(30)).ended());
            }

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> calls.stream()
                    .allMatch(id -> rig.emulator().callsWithExternalId(id).stream().anyMatch(CallSnapshot::ended)));
            assertThat(calls).allSatisfy(id -> assertThat(rig.emulator().callsWithExternalId(id)).singleElement()
                    .satisfies(c -> assertThat(c.teamId()).isEqualTo(SECOND)));
            assertThat(errors(rig, "token_expired")).as("requests sent with an expired token").isZero();
            assertThat(errors(rig, "invalid_auth")).isZero();
            // Eighteen seconds of calls on eight-second tokens: at least one rotation while they went on.
            assertThat(second.metrics().registry().find("bridge.slack.token.rotations").tag("outcome", "rotated").counters())
                    .as("tokens rotated").isNotEmpty().allSatisfy(counter -> assertThat(counter.count()).isPositive());
            List<ConsumerRecord<byte[], byte[]>> stored = rig.committed(rig.topics.installations().name());
            assertThat(stored).isNotEmpty().allSatisfy(record -> assertThat(new String(record.value(), StandardCharsets.UTF_8))
                    .doesNotContain("xoxb-", "xoxe-").contains("v1:k1:"));
            // Bolt's, the SDK's and the bridge's logs, at their most detailed, through an install and rotations.
            assertThat(logs.lines()).as("log lines").hasSizeGreaterThan(100)
                    .noneMatch(line -> line.contains("xoxb-") || line.contains("xoxe-") || line.contains(CLIENT_SECRET)
                            || line.contains(SIGNING_SECRET) || line.contains(keys.substring(3)));
        }
    }

    @Test
    void anUninstalledWorkspaceFailsAtOnceWithoutWaitingForItsBudgetEvenAfterARestartWhileAnotherKeepsBeingServed()
            throws Exception {
        int port = AddToSlack.freePort();
        EmulatedApp app = APP
                .withEventsUrl("http://127.0.0.1:" + port + "/slack/events");
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-uninstall-", BridgeRig.demoEmulator().app(app))) {
            // Two calls.add a minute: a refused workspace that waited for its budget would take minutes here. The
            // buckets start empty, so the first calls.add of each workspace waits 30 s.
            BridgeService bridge = rig.startService(appSettings(rig, "a", port).budget(SlackMethod.CALLS_ADD, 2)
                    .with("BRIDGE_SLACK_BUDGET_BURST", "1"));
            AddToSlack.install(port, SECOND);
            CallEvents before = inSecondWorkspace(rig, "served-call");
            await().atMost(Duration.ofSeconds(60)).until(() -> !rig.emulator().callsWithExternalId("served-call").isEmpty());

            rig.emulator().uninstall(CLIENT_ID, SECOND);
            await().atMost(Duration.ofSeconds(30)).until(() -> BridgeRig.count(bridge, "bridge.slack.app.removals") >= 1);
            rig.send(before.after(Duration.ofSeconds(5)).ended());
            List<String> orphans = List.of("orphan-1", "orphan-2", "orphan-3", "orphan-4");
            orphans.forEach(call -> inSecondWorkspace(rig, call));
            CallEvents demo = CallEvents.sequenced("demo-call", "pbx-app", T0);
            rig.send(List.of(demo.started("https://pbx.example/j/demo"), demo.after(Duration.ofSeconds(5)).ended()));

            await().atMost(Duration.ofSeconds(30)).until(() -> rig.emulator().callsWithExternalId("demo-call").stream()
                    .anyMatch(CallSnapshot::ended));
            List<OpResult.Failed> refused = await().atMost(Duration.ofSeconds(20)).until(() -> failed(rig),
                    failed -> failed.size() >= 1 + orphans.size());
            // A request already out when Slack revoked the token comes back token_revoked; the rest never go.
            assertThat(refused).extracting(OpResult.Failed::error).contains("app_uninstalled")
                    .isSubsetOf("app_uninstalled", "token_revoked");
            // One dead letter sums the workspace up; the other refusals are results only, none retried.
            List<DeadLetter> dead = uninstalledLetters(rig);
            assertThat(dead).singleElement().satisfies(letter -> {
                assertThat(letter.reason()).isEqualTo("app_uninstalled");
                assertThat(letter.detail()).contains(SECOND, "installed again");
                assertThat(letter.operation().attempts()).isEqualTo(1);
            });
            orphans.forEach(call -> assertThat(rig.views().get(call).observed().addFailed())
                    .as("the view of %s says so", call).isTrue());
            MethodCounts adds = rig.emulator().stats().of(ApiMethod.CALLS_ADD);
            assertThat(adds.errors()).as("nothing was sent for the removed workspace").isEmpty();

            // The removal is on the installations topic: an instance started afterwards knows it too.
            rig.stopService(bridge);
            int other = AddToSlack.freePort();
            rig.startService(appSettings(rig, "b", other));
            inSecondWorkspace(rig, "orphan-after-restart");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(failed(rig))
                    .filteredOn(f -> f.externalUniqueId().equals("orphan-after-restart"))
                    .extracting(OpResult.Failed::error).containsExactly("app_uninstalled"));
            assertThat(uninstalledLetters(rig)).as("at most one more summary, from the new instance").hasSizeLessThanOrEqualTo(2);
        }
    }

    private static List<OpResult.Failed> failed(BridgeRig rig) {
        return rig.committed(rig.topics.callResults().name()).stream()
                .map(r -> RESULTS.fromBytes(r.value()))
                .filter(r -> r instanceof OpResult.Failed).map(r -> (OpResult.Failed) r).toList();
    }

    private static List<DeadLetter> uninstalledLetters(BridgeRig rig) {
        return rig.committed(rig.topics.callOpsDeadLetters().name()).stream()
                .map(r -> DeadLetter.from(r.headers()).orElseThrow())
                .filter(letter -> letter.reason().equals("app_uninstalled")).toList();
    }
}
