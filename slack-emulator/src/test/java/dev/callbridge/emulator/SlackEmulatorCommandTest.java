package dev.callbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.model.CallParticipant;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code slack-emulator}'s options, and the emulator they describe. */
class SlackEmulatorCommandTest {

    @Test
    void optionsDescribeTokensTiersAndFaults() throws Exception {
        SlackEmulatorCommand command = new SlackEmulatorCommand();
        new CommandLine(command).parseArgs("--port", "0",
                "--token", "xoxb-ops@T0OPS:calls:read,calls:write",
                "--revoked-token", "xoxb-old@T0OPS",
                "--tiers", "sdk",
                "--seed", "11", "--fault-5xx-rate", "0.05", "--fault-drop-rate", "0.02", "--drop-before-apply");

        try (SlackEmulator emulator = command.emulator().start()) {
            Slack slack = SlackSdk.slack(emulator);
            assertThat(slack.methods("xoxb-ops").authTest(r -> r).getTeamId()).isEqualTo("T0OPS");
            assertThat(slack.methods("xoxb-ops").chatPostMessage(r -> r.channel("C1").text("x")).getError())
                    .isEqualTo("missing_scope");
            assertThat(slack.methods("xoxb-old").authTest(r -> r).getError()).isEqualTo("token_revoked");
            assertThat(emulator.client().rateLimits()).isEqualTo(RateLimits.sdk());
            assertThat(emulator.client().faults()).isEqualTo(
                    new Faults(11, 0, 3, 1, 0.05, 0, 5_000, 0.02, false));
        }
    }

    @Test
    void withoutATokenTheDefaultOneWorks() throws Exception {
        SlackEmulatorCommand command = new SlackEmulatorCommand();
        new CommandLine(command).parseArgs("--port", "0");

        try (SlackEmulator emulator = command.emulator().start()) {
            String token = SlackEmulatorCommand.DEFAULT_TOKEN.split("@")[0];
            assertThat(SlackSdk.slack(emulator).methods(token).authTest(r -> r).isOk()).isTrue();
            assertThat(emulator.client().rateLimits()).isEqualTo(RateLimits.slack());
        }
    }

    @Test
    void appOptionsDescribeAnAppWithTokenRotationAndNoDefaultToken() throws Exception {
        SlackEmulatorCommand command = new SlackEmulatorCommand();
        new CommandLine(command).parseArgs("--port", "0",
                "--app-client-id", Installs.CLIENT_ID, "--app-client-secret", Installs.CLIENT_SECRET,
                "--app-signing-secret", Installs.SIGNING_SECRET, "--app-events-url", "http://127.0.0.1:9/slack/events",
                "--app-token-lifetime", "PT30S", "--app-scopes", "calls:read,calls:write,chat:write");

        try (SlackEmulator emulator = command.emulator().start()) {
            Slack slack = SlackSdk.slack(emulator);
            assertThat(Installs.install(emulator, slack, "T0XYZ").getExpiresIn()).isEqualTo(30);
            assertThat(slack.methods(SlackEmulatorCommand.DEFAULT_TOKEN.split("@")[0]).authTest(r -> r).getError())
                    .isEqualTo("invalid_auth");
        }
    }

    @Test
    void theTokenLifetimeOptionAloneMeansSlacksTwelveHoursAndWithoutItTokensDoNotRotate() throws Exception {
        String[] app = {"--port", "0", "--app-client-id", Installs.CLIENT_ID, "--app-client-secret",
            Installs.CLIENT_SECRET, "--app-signing-secret", Installs.SIGNING_SECRET};
        SlackEmulatorCommand rotating = new SlackEmulatorCommand();
        new CommandLine(rotating).parseArgs(concat(app, "--app-token-lifetime"));
        SlackEmulatorCommand lasting = new SlackEmulatorCommand();
        new CommandLine(lasting).parseArgs(app);

        try (SlackEmulator emulator = rotating.emulator().start()) {
            assertThat(Installs.install(emulator, SlackSdk.slack(emulator), "T0XYZ").getExpiresIn()).isEqualTo(43_200);
        }
        try (SlackEmulator emulator = lasting.emulator().start()) {
            assertThat(Installs.install(emulator, SlackSdk.slack(emulator), "T0XYZ").getRefreshToken()).isNull();
        }
    }

    @Test
    void anAppTokenPutsTheAppInSocketModeOnTheGivenPort() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        SlackEmulatorCommand command = new SlackEmulatorCommand();
        new CommandLine(command).parseArgs("--port", "0", "--app-client-id", Installs.CLIENT_ID,
                "--app-client-secret", Installs.CLIENT_SECRET, "--app-signing-secret", Installs.SIGNING_SECRET,
                "--app-token", "xapp-1-A11112222-1-cli", "--socket-mode-port", Integer.toString(port));

        try (SlackEmulator emulator = command.emulator().start()) {
            assertThat(SlackSdk.slack(emulator).methods().appsConnectionsOpen(r -> r.token("xapp-1-A11112222-1-cli"))
                    .getUrl()).startsWith("ws://127.0.0.1:" + port + "/link/");
        }
    }

    @Test
    void anAppTokenThatIsNoneOrHasNoAppIsAUsageErrorThatShowsNoToken() {
        SlackEmulatorCommand noApp = new SlackEmulatorCommand();
        new CommandLine(noApp).parseArgs("--app-token", "xapp-1-lonely");
        assertThatThrownBy(noApp::emulator).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--app-client-id").hasMessageNotContaining("xapp-1-lonely");

        SlackEmulatorCommand botToken = new SlackEmulatorCommand();
        new CommandLine(botToken).parseArgs("--app-client-id", Installs.CLIENT_ID,
                "--app-client-secret", Installs.CLIENT_SECRET, "--app-signing-secret", Installs.SIGNING_SECRET,
                "--app-token", "xoxb-not-an-app-token");
        assertThatThrownBy(botToken::emulator).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("xapp-").hasMessageNotContaining("xoxb-not-an-app-token");
    }

    @Test
    void theRequestLogHasALinePerRequestAsItArrivesNamingTheCallButNoTokenNorUsers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("requests.jsonl");
        SlackEmulatorCommand command = new SlackEmulatorCommand();
        new CommandLine(command).parseArgs("--port", "0", "--token", "xoxb-logged@T0LOG", "--request-log", file.toString());

        try (SlackEmulator emulator = command.emulator().start()) {
            long before = System.currentTimeMillis();
            var methods = SlackSdk.slack(emulator).methods("xoxb-logged");
            String id = methods.callsAdd(r -> r.externalUniqueId("pbx-logged").joinUrl("https://pbx.example/j/1")
                    .createdBy("U0CREATOR").dateStart(1_700_000_000)
                    .users(List.of(CallParticipant.builder().slackId("U0LOGGED").build()))).getCall().getId();
            methods.chatPostMessage(r -> r.channel("C0LOG").text("hello"));
            methods.callsEnd(r -> r.id(id));
            long after = System.currentTimeMillis();

            // Each line is written before its answer goes out: readable while the emulator runs.
            List<String> lines = Files.readAllLines(file);
            assertThat(lines).hasSize(3);
            ObjectMapper json = new ObjectMapper();
            JsonNode add = json.readTree(lines.get(0));
            assertThat(add.get("method").asText()).isEqualTo("calls.add");
            assertThat(add.get("external_unique_id").asText()).isEqualTo("pbx-logged");
            assertThat(add.get("at").asLong()).isBetween(before, after);
            assertThat(json.readTree(lines.get(1)).get("channel").asText()).isEqualTo("C0LOG");
            assertThat(json.readTree(lines.get(2)).get("id").asText()).isEqualTo(id);
            assertThat(String.join("\n", lines)).doesNotContain("xoxb-logged", "U0LOGGED", "hello");
        }
    }

    @Test
    void anAppWithoutAllItsCredentialsIsAUsageErrorThatShowsNoSecret() {
        SlackEmulatorCommand command = new SlackEmulatorCommand();
        new CommandLine(command).parseArgs("--app-client-id", "1111.2222", "--app-client-secret", "hush-hush");

        assertThatThrownBy(command::emulator).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--app-signing-secret")
                .hasMessageNotContaining("hush-hush");
    }

    @Test
    void anUnknownPresetOrMalformedTokenIsAUsageError() {
        SlackEmulatorCommand badPreset = new SlackEmulatorCommand();
        new CommandLine(badPreset).parseArgs("--tiers", "fast");
        assertThatThrownBy(badPreset::emulator).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("slack, sdk, unlimited");

        SlackEmulatorCommand badToken = new SlackEmulatorCommand();
        new CommandLine(badToken).parseArgs("--token", "xoxb-no-team");
        assertThatThrownBy(badToken::emulator).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("TOKEN@TEAM_ID")
                .hasMessageNotContaining("xoxb-no-team");
    }

    @Test
    void helpNamesTheCommandAndItsOptions() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(new SlackEmulatorCommand());
        commandLine.setOut(new PrintWriter(out));

        assertThat(commandLine.execute("--help")).isZero();
        assertThat(out.toString())
                .contains("slack-emulator", "--port", "--token", "--tiers", "--seed", "--fault-429-rate")
                .contains("--app-client-id", "--app-client-secret", "--app-signing-secret", "--app-events-url",
                        "--app-token-lifetime", "--app-scopes", "--app-token", "--socket-mode-port", "--request-log");
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
