package dev.callbridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Exit codes a script can rely on, for command lines that never reach Kafka. */
class BridgeCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> environment, String... args) {
        CommandLine commandLine = BridgeCommand.commandLine(environment);
        commandLine.setErr(new PrintWriter(err));
        commandLine.setOut(new PrintWriter(new StringWriter()));
        return commandLine.execute(args);
    }

    @Test
    void aWrongCommandLineExitsWithTheUsageCodeNotTheDriftCode() {
        Map<String, String> env = Map.of("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", "localhost:1", "SLACK_TOKEN", "xoxb-t");

        assertThat(run(env, "reconcile", "call-1", "--wait", "soon")).isEqualTo(BridgeCommand.USAGE_ERROR);
        assertThat(err.toString()).contains("--wait must be a duration");
        assertThat(run(env, "reconcile")).isEqualTo(BridgeCommand.USAGE_ERROR);
        assertThat(run(env, "redrive", "--dead-letters", "everything")).isEqualTo(BridgeCommand.USAGE_ERROR);
        assertThat(run(env, "redrive", "--dead-letters", "events", "--since", "yesterday"))
                .isEqualTo(BridgeCommand.USAGE_ERROR);
        assertThat(BridgeCommand.USAGE_ERROR).isNotEqualTo(ReconcileCommand.DRIFT);
    }

    @Test
    void aMissingSettingIsAConfigurationErrorForEveryCommand() {
        assertThat(run(Map.of(), "show-call", "call-1")).isEqualTo(RunCommand.BAD_CONFIGURATION);
        assertThat(run(Map.of(), "redrive", "--dead-letters", "ops")).isEqualTo(RunCommand.BAD_CONFIGURATION);
        assertThat(run(Map.of("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", "localhost:1"), "reconcile", "call-1"))
                .as("reconcile calls Slack, so it needs a token").isEqualTo(RunCommand.BAD_CONFIGURATION);
    }
}
