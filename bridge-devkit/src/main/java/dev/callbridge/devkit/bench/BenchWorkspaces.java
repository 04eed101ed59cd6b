package dev.callbridge.devkit.bench;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.RateLimit;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.slack.SlackTokens;
import dev.callbridge.testkit.DemoWorkspace;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Slack workspaces of the throughput part: each its own team, bot token and channel, all served
 * by one emulator, and the bridge given every token as {@code bridge run} reads them
 * ({@code SLACK_TOKEN_<TEAM>}). Calls are spread over them round-robin.
 */
final class BenchWorkspaces {

    /**
     * Each method's limit per workspace in the emulator: Slack's tiers allow 20 to 100 a minute, this is
     * hundreds of times what one workspace is sent in a run, so the limits are enforced but never reached.
     */
    static final RateLimit OUT_OF_REACH = RateLimit.perMinute(60_000);

    private final int count;

    BenchWorkspaces(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one workspace, not " + count);
        }
        this.count = count;
    }

    int count() {
        return count;
    }

    /** The workspace of the {@code n}th call. */
    int of(int n) {
        return n % count;
    }

    String team(int workspace) {
        return String.format(Locale.ROOT, "T0BENCH%04d", workspace);
    }

    String channel(int workspace) {
        return String.format(Locale.ROOT, "C0BENCH%04d", workspace);
    }

    private String token(int workspace) {
        return "xoxb-bench-" + workspace;
    }

    /** An emulator on a free port serving every workspace (and the demo one), each method limited out of reach. */
    SlackEmulator.Builder emulator() {
        RateLimits limits = RateLimits.unlimited();
        for (ApiMethod method : ApiMethod.values()) {
            limits = limits.with(method, OUT_OF_REACH);
        }
        SlackEmulator.Builder builder = DemoWorkspace.emulator().rateLimits(limits);
        for (int workspace = 0; workspace < count; workspace++) {
            builder.token(token(workspace), team(workspace));
        }
        return builder;
    }

    /** Every workspace's token as the variable {@code bridge run} reads it from. */
    Map<String, String> tokenVariables() {
        Map<String, String> variables = new HashMap<>();
        for (int workspace = 0; workspace < count; workspace++) {
            variables.put(SlackTokens.WORKSPACE_VARIABLE_PREFIX + team(workspace), token(workspace));
        }
        return variables;
    }
}
