package dev.callbridge.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlackTokensTest {

    private static final SlackToken DEFAULT = new SlackToken("xoxb-default-secret");
    private static final SlackToken SALES = new SlackToken("xoxb-sales-secret");

    @Test
    void environmentGivesADefaultAndOneTokenPerWorkspace() {
        SlackTokens tokens = SlackTokens.fromEnvironment(Map.of(
                "SLACK_TOKEN", "xoxb-default-secret",
                "SLACK_TOKEN_T0SALES", "xoxb-sales-secret",
                "SLACK_TOKEN_t0ops", "xoxb-ops-secret",
                "PATH", "/usr/bin"));

        assertThat(tokens.forWorkspace("T0SALES")).contains(SALES);
        assertThat(tokens.forWorkspace("T0OPS")).contains(new SlackToken("xoxb-ops-secret"));
        assertThat(tokens.forWorkspace(null)).contains(DEFAULT);
        assertThat(tokens.workspaces()).containsExactly("T0OPS", "T0SALES");
    }

    @Test
    void aWorkspaceWithoutATokenOfItsOwnGetsNoneRatherThanTheDefault() {
        SlackTokens tokens = new SlackTokens(DEFAULT, Map.of("T0SALES", SALES));

        assertThat(tokens.forWorkspace("T0OTHER")).isEmpty();
    }

    @Test
    void theDefaultTokenServesTheDefaultWorkspaceAndOperationsThatNameNone() {
        SlackTokens tokens = new SlackTokens(DEFAULT, Map.of("T0SALES", SALES)).withDefaultTeamId("T0ACME");

        assertThat(tokens.forWorkspace("T0ACME")).contains(DEFAULT);
        assertThat(tokens.forWorkspace("t0acme")).as("team ids match whatever their case").contains(DEFAULT);
        assertThat(tokens.forWorkspace(null)).contains(DEFAULT);
        assertThat(tokens.forWorkspace("T0SALES")).contains(SALES);
        assertThat(tokens.forWorkspace("T0OTHER")).isEmpty();
    }

    @Test
    void theDefaultWorkspacesOwnTokenWinsOverTheDefaultToken() {
        SlackTokens tokens = new SlackTokens(DEFAULT, Map.of("T0ACME", SALES)).withDefaultTeamId("T0ACME");

        assertThat(tokens.forWorkspace("T0ACME")).contains(SALES);
    }

    @Test
    void mountedSecretFilesGiveOneTokenPerFile(@TempDir Path secrets) throws IOException {
        Files.writeString(secrets.resolve("T0SALES"), "xoxb-sales-secret\n");
        Files.writeString(secrets.resolve("default"), "xoxb-default-secret");
        Files.createDirectory(secrets.resolve("..data"));
        Files.writeString(secrets.resolve(".hidden"), "ignored");

        SlackTokens tokens = SlackTokens.fromDirectory(secrets);

        assertThat(tokens.forWorkspace("T0SALES")).contains(SALES);
        assertThat(tokens.forWorkspace(null)).contains(DEFAULT);
        assertThat(tokens.forWorkspace("T0ELSE")).isEmpty();
        assertThat(tokens.workspaces()).containsExactly("T0SALES");
    }

    @Test
    void withoutADefaultOnlyWorkspacesWithTheirOwnTokenHaveOne() {
        SlackTokens tokens = SlackTokens.fromEnvironment(Map.of("SLACK_TOKEN_T1", "xoxb-one")).withDefaultTeamId("T2");

        assertThat(tokens.forWorkspace("T1")).contains(new SlackToken("xoxb-one"));
        assertThat(tokens.forWorkspace("T2")).isEmpty();
        assertThat(tokens.forWorkspace(null)).isEmpty();
    }

    @Test
    void environmentTokensWinOverFileTokens() {
        SlackTokens env = SlackTokens.fromEnvironment(Map.of("SLACK_TOKEN_T1", "xoxb-env"));
        SlackTokens files = new SlackTokens(new SlackToken("xoxb-file-default"), Map.of("T1", new SlackToken("xoxb-file")));
        SlackTokens merged = env.orElse(files);
        assertThat(merged.forWorkspace("T1")).contains(new SlackToken("xoxb-env"));
        assertThat(merged.forWorkspace(null)).contains(new SlackToken("xoxb-file-default"));
    }

    @Test
    void printingTokensNeverShowsThem() {
        SlackTokens tokens = SlackTokens.fromEnvironment(Map.of("SLACK_TOKEN", "xoxb-very-secret")).withDefaultTeamId("T0ACME");
        assertThat(tokens.toString()).doesNotContain("xoxb-very-secret").contains("T0ACME");
        assertThat(tokens.forWorkspace(null).orElseThrow().toString()).doesNotContain("xoxb-very-secret");
        assertThatThrownBy(() -> new SlackToken("  ")).isInstanceOf(IllegalArgumentException.class);
    }
}
