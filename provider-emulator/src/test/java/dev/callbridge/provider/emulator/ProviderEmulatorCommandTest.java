package dev.callbridge.provider.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code provider-emulator}'s options, and the emulator they describe. */
class ProviderEmulatorCommandTest {

    @Test
    void optionsDescribeTargetsAndFaults() {
        ProviderEmulatorCommand command = new ProviderEmulatorCommand();
        new CommandLine(command).parseArgs("--port", "0", "--webhook-url", "http://127.0.0.1:9/hooks",
                "--analysis-delay", "PT5S", "--fault-end-ignored", "--fault-webhook-delay-ms", "250",
                "--fault-duplicate-webhooks");

        try (ProviderEmulator emulator = command.emulator().start()) {
            assertThat(emulator.client().faults()).isEqualTo(new Faults(true, 250, true));
            assertThat(emulator.client().targets()).isEqualTo(new Targets("http://127.0.0.1:9/hooks", null, 5_000));
        }
    }

    @Test
    void aWebhookUrlThatIsNoHttpUrlIsRefusedByName() {
        ProviderEmulatorCommand command = new ProviderEmulatorCommand();
        CommandLine line = new CommandLine(command);
        line.parseArgs("--webhook-url", "ftp://example/hooks");

        assertThatThrownBy(command::emulator).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("webhook_url");
    }
}
