package dev.callbridge.devkit.e2e;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.ConfigSource;
import dev.callbridge.model.op.SlackMethod;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment one bridge instance is started with, as {@code bridge run} would read it: defaults
 * fit for a test (its own topic prefix and application id, one replica, short commit interval,
 * budgets far above anything a test sends, quick retries), each overridable by variable name.
 */
final class BridgeEnvironment {

    static final String TOKEN = "xoxb-end-to-end-token";
    static final String TEAM = "T0ENDTOEND";
    static final String CHANNEL = "C0CALLS";
    static final String CREATOR = "U0BRIDGEBOT";
    static final int PARTITIONS = 3;
    /** Far above what any test sends, so the dispatcher never parks work for budget against an unlimited emulator. */
    private static final String UNLIMITED_PER_MINUTE = "60000";

    private final Map<String, String> variables = new LinkedHashMap<>();

    private BridgeEnvironment() {}

    static BridgeEnvironment of(String bootstrapServers, String prefix, String slackBaseUrl, String instanceId,
            Path stateDir) {
        BridgeEnvironment env = new BridgeEnvironment()
                .with("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers)
                .with("BRIDGE_APPLICATION_ID", prefix + "bridge")
                .with("BRIDGE_INSTANCE_ID", instanceId)
                .with("BRIDGE_TOPICS_PREFIX", prefix)
                .with("BRIDGE_TOPICS_PARTITIONS", String.valueOf(PARTITIONS))
                .with("BRIDGE_TOPICS_REPLICATION_FACTOR", "1")
                .with("BRIDGE_STATE_DIR", stateDir.toString())
                .with("BRIDGE_HTTP_PORT", "0")
                .with("BRIDGE_SLACK_BASE_URL", slackBaseUrl)
                .with("BRIDGE_SLACK_DEFAULT_CHANNEL", CHANNEL)
                .with("BRIDGE_SLACK_DEFAULT_CREATED_BY", CREATOR)
                .with("BRIDGE_SLACK_TIMEOUT", "2s")
                .with("BRIDGE_KAFKA_STREAMS_COMMIT_INTERVAL_MS", "100")
                .with("BRIDGE_RETRY_BASE_DELAY", "200ms")
                .with("BRIDGE_RETRY_MAX_DELAY", "3s")
                .with("BRIDGE_SLACK_BUDGET_DEFAULT", UNLIMITED_PER_MINUTE)
                .with("BRIDGE_SLACK_BUDGET_BURST", "200")
                .with("SLACK_TOKEN", TOKEN);
        for (SlackMethod method : SlackMethod.values()) {
            env.with(budgetVariable(method), UNLIMITED_PER_MINUTE);
        }
        return env;
    }

    /** The variable holding {@code method}'s budget, e.g. {@code BRIDGE_SLACK_BUDGET_CALLS_PARTICIPANTS_ADD}. */
    static String budgetVariable(SlackMethod method) {
        return ConfigSource.envName("slack.budget." + method.apiName());
    }

    BridgeEnvironment with(String variable, String value) {
        variables.put(variable, value);
        return this;
    }

    BridgeEnvironment without(String variable) {
        variables.remove(variable);
        return this;
    }

    /**
     * Lets a stopped or killed instance's partitions move to the others after a few seconds instead
     * of the default 45: the bridge uses static membership, so a member that goes away keeps its
     * partitions until its session expires (6 s is the broker's default minimum).
     */
    BridgeEnvironment withShortSessions() {
        return with("BRIDGE_KAFKA_STREAMS_MAIN_CONSUMER_SESSION_TIMEOUT_MS", "6000")
                .with("BRIDGE_KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000");
    }

    Map<String, String> variables() {
        return Map.copyOf(variables);
    }

    BridgeConfig config() {
        return BridgeConfig.load(variables, null);
    }
}
