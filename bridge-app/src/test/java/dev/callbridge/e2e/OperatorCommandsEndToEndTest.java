package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.request.calls.participants.CallsParticipantsRemoveRequest;
import com.slack.api.model.CallParticipant;
import dev.callbridge.cli.BridgeCommand;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.service.BridgeService;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code bridge show-call}, {@code bridge reconcile} and {@code bridge redrive} against a running bridge. */
class OperatorCommandsEndToEndTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5));

    /** What one command printed and its exit code. */
    record Run(int exitCode, String output) {}

    private static Run bridge(BridgeSettings env, String... args) {
        StringWriter out = new StringWriter();
        int code = BridgeCommand.commandLine(env.variables()).setOut(new PrintWriter(out)).execute(args);
        return new Run(code, out.toString());
    }

    @Test
    void showCallPrintsTheViewAndReconcileRepairsDriftMadeBehindTheBridgesBack() throws Exception {
        CallScenario scenario = CallScenario.lifecycles("e2e-ops-live-", 1).withoutEnds();
        String call = scenario.calls().get(0).externalId();
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-ops-live-")) {
            BridgeSettings env = rig.settings("one");
            rig.startService(env);
            rig.send(scenario.inOrder());
            CallSnapshot inSlack = rig.expect.awaitConverged(scenario.expected()).get(call).get(0);

            Run shown = bridge(env, "show-call", call);
            assertThat(shown.exitCode()).isZero();
            assertThat(shown.output()).contains("LIVE", inSlack.id(), "slack:U0A", "slack:U0C");
            assertThat(bridge(env, "show-call", "no-such-call").exitCode()).isEqualTo(1);
            assertThat(bridge(env, "reconcile", call).output()).contains("In sync");

            // Someone removes U0C in Slack itself; the bridge still believes U0C is on the call.
            try (Slack slack = Slack.getInstance(sdkConfig(rig))) {
                assertThat(slack.methods(DemoWorkspace.TOKEN).callsParticipantsRemove(
                        CallsParticipantsRemoveRequest.builder().id(inSlack.id())
                                .users(List.of(CallParticipant.builder().slackId("U0C").build())).build()).isOk())
                        .isTrue();
            }

            Run report = bridge(env, "reconcile", call);
            assertThat(report.exitCode()).as(report.output()).isEqualTo(2);
            assertThat(report.output()).contains("missing in Slack: slack:U0C", "--repair");
            assertThat(slackIds(rig, call)).containsExactly("U0A");

            Run repaired = bridge(env, "reconcile", call, "--repair", "--wait", "30s");
            assertThat(repaired.exitCode()).as(repaired.output()).isZero();
            assertThat(slackIds(rig, call)).containsExactlyInAnyOrder("U0A", "U0C");
            assertThat(rig.emulator().stats().duplicateCallsAdd()).isZero();
        }
    }

    @Test
    void oversizeEventsAreRedrivenToTheInputOnceTheLimitIsRaisedByCallAndNotTwiceBySince() throws Exception {
        CallEvents first = CallEvents.sequenced("e2e-ops-events-a", "pbx-e2e", T0);
        CallEvents second = CallEvents.sequenced("e2e-ops-events-b", "pbx-e2e", T0);
        String longTitle = "Quarterly review " + "x".repeat(1500);
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-ops-events-")) {
            BridgeSettings strict = rig.settings("one").with("BRIDGE_EVENTS_MAX_BYTES", "1024");
            BridgeService service = rig.startService(strict);
            List<CallEvent> events = List.of(
                    first.started("https://pbx.example/j/a", longTitle, null, List.of(Participant.slackUser("U1"))),
                    first.after(Duration.ofSeconds(1)).joined(Participant.slackUser("U2")),
                    second.started("https://pbx.example/j/b", longTitle, null, List.of(Participant.slackUser("U3"))));
            rig.send(events);
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> rig.committed(rig.topics.callEventsDeadLetters().name()).size() == 2);
            rig.stopService(service);
            BridgeSettings relaxed = rig.settings("one");
            rig.startService(relaxed);

            Run dryRun = bridge(relaxed, "redrive", "--dead-letters", "events", "--call", "e2e-ops-events-a", "--dry-run");
            assertThat(dryRun.exitCode()).as(dryRun.output()).isZero();
            assertThat(dryRun.output()).contains("would go to " + rig.topics.callEvents().name(), "oversize",
                    "Would redrive 1 of 1");
            Thread.sleep(1_000);
            assertThat(rig.emulator().calls()).as("nothing redriven by a dry run").isEmpty();

            Run redrive = bridge(relaxed, "redrive", "--dead-letters", "events", "--call", "e2e-ops-events-a");
            assertThat(redrive.output()).contains("Redrove 1 of 1");
            rig.expect.awaitConverged(List.of(new ExpectedCall("e2e-ops-events-a", Set.of("U1", "U2"), longTitle,
                    false)));
            assertThat(rig.expect.callsByExternalId()).doesNotContainKey("e2e-ops-events-b");

            Run later = bridge(relaxed, "redrive", "--dead-letters", "events",
                    "--since", Instant.now().plus(Duration.ofHours(1)).toString());
            assertThat(later.output()).contains("Redrove 0 of 0");
        }
    }

    @Test
    void aDeadLetteredCallsAddIsRedrivenThroughTheReconcilerOnceTheTokenIsThere() throws Exception {
        CallEvents call = CallEvents.sequenced("e2e-ops-ops-a", "pbx-e2e", T0);
        Instant testStart = Instant.now();
        try (BridgeRig rig = BridgeRig.start(KAFKA, "e2e-ops-ops-")) {
            // A token for another workspace only: calls.add has no token to go with, and fails for good.
            BridgeSettings tokenless = rig.settings("one").without("SLACK_TOKEN")
                    .with("SLACK_TOKEN_T0ELSEWHERE", "xoxb-another-workspace");
            BridgeService service = rig.startService(tokenless);
            rig.send(List.of(call.started("https://pbx.example/j/a", "Standup", null, List.of(Participant.slackUser("U1")))));
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> rig.committed(rig.topics.callOpsDeadLetters().name()).size() == 1);
            rig.send(List.of(call.after(Duration.ofSeconds(3)).joined(Participant.slackUser("U2"))));
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> bridge(tokenless, "show-call", "e2e-ops-ops-a").output().contains("FAILED"));
            rig.stopService(service);

            BridgeSettings fixed = rig.settings("one");
            rig.startService(fixed);
            // Only what was dead-lettered since this test began.
            Run redrive = bridge(fixed, "redrive", "--dead-letters", "ops", "--since", testStart.toString());
            assertThat(redrive.exitCode()).as(redrive.output()).isZero();
            assertThat(redrive.output()).contains("-> " + rig.topics.callResults().name(), "no_token_configured",
                    "Redrove 1 of 1");

            rig.expect.awaitConverged(List.of(new ExpectedCall("e2e-ops-ops-a", Set.of("U1", "U2"), "Standup", false)));
            rig.expect.assertNoSlackErrors();
        }
    }

    private static SlackConfig sdkConfig(BridgeRig rig) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(rig.slack.baseUrl());
        return config;
    }

    private static Set<String> slackIds(BridgeRig rig, String call) {
        return rig.expect.callsByExternalId().get(call).get(0).users().stream()
                .map(CallUser::slackId).collect(Collectors.toSet());
    }
}
