package dev.callbridge.testkit;

import dev.callbridge.model.op.SlackMethod;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The settings one bridge instance starts with, as the {@code BRIDGE_*} and {@code SLACK_TOKEN*}
 * variables {@code bridge run} reads: every test, the benchmark and the local demo build them here
 * and hand them to {@code BridgeConfig.load}, so a bridge is started one way only.
 */
public final class BridgeSettings {

    /** The partitions of every topic of a bridge started from these settings. */
    public static final int PARTITIONS = 3;
    /** Far above what any test sends, so the dispatcher never parks work for budget against an unlimited emulator. */
    private static final int UNLIMITED_PER_MINUTE = 60_000;

    private final Map<String, String> variables = new LinkedHashMap<>();

    private BridgeSettings() {}

    /**
     * A bridge on {@code bootstrapServers} whose topics, application id and groups all start with
     * {@code prefix}, so bridges sharing a broker never see each other's records; one replica, three
     * partitions, health and metrics on a free port, the {@link DemoWorkspace}'s token (serving calls
     * that name no workspace), channel and creator, and Slack at {@code slackBaseUrl}. Everything else
     * is the bridge's own default.
     */
    public static BridgeSettings of(String bootstrapServers, String prefix, String slackBaseUrl, Path stateDir) {
        return new BridgeSettings()
                .with("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers)
                .with("BRIDGE_APPLICATION_ID", prefix + "bridge")
                .with("BRIDGE_INSTANCE_ID", prefix + "0")
                .with("BRIDGE_TOPICS_PREFIX", prefix)
                .with("BRIDGE_TOPICS_PARTITIONS", Integer.toString(PARTITIONS))
                .with("BRIDGE_TOPICS_REPLICATION_FACTOR", "1")
                .with("BRIDGE_STATE_DIR", stateDir.toString())
                .with("BRIDGE_HTTP_PORT", "0")
                .with("BRIDGE_SLACK_BASE_URL", slackBaseUrl)
                .with("BRIDGE_SLACK_DEFAULT_CHANNEL", DemoWorkspace.CHANNEL)
                .with("BRIDGE_SLACK_DEFAULT_CREATED_BY", DemoWorkspace.CREATOR)
                .with("SLACK_TOKEN", DemoWorkspace.TOKEN);
    }

    /**
     * As {@link #of}, tuned for tests that wait on results: Kafka Streams commits every 100 ms, Slack
     * requests time out after 2 s and failed ones are retried within seconds, and no Slack budget
     * holds anything back.
     */
    public static BridgeSettings forTest(String bootstrapServers, String prefix, String slackBaseUrl, Path stateDir) {
        return of(bootstrapServers, prefix, slackBaseUrl, stateDir)
                .with("BRIDGE_KAFKA_STREAMS_COMMIT_INTERVAL_MS", "100")
                .with("BRIDGE_SLACK_TIMEOUT", "2s")
                .with("BRIDGE_RETRY_BASE_DELAY", "200ms")
                .with("BRIDGE_RETRY_MAX_DELAY", "3s")
                .unlimitedBudgets();
    }

    /**
     * A {@code bridge ingress} writing to the input topic of {@code prefix} on {@code bootstrapServers},
     * on a free port, taking CloudEvents only; a test adds a provider with its secret and join link
     * template ({@code BRIDGE_INGRESS_TWILIO_AUTH_TOKEN}, {@code BRIDGE_INGRESS_PUBLIC_URL}, ...).
     */
    public static BridgeSettings forIngress(String bootstrapServers, String prefix) {
        return new BridgeSettings()
                .with("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers)
                .with("BRIDGE_TOPICS_PREFIX", prefix)
                .with("BRIDGE_INGRESS_HTTP_PORT", "0");
    }

    /** Sets one variable, e.g. {@code BRIDGE_SLACK_TIMEOUT}. */
    public BridgeSettings with(String variable, String value) {
        variables.put(variable, value);
        return this;
    }

    public BridgeSettings without(String variable) {
        variables.remove(variable);
        return this;
    }

    /** The budget of {@code method} in requests a minute. */
    public BridgeSettings budget(SlackMethod method, int perMinute) {
        return with(budgetVariable(method), Integer.toString(perMinute));
    }

    /** Budgets no test reaches, for every method, with a burst of 200. */
    public BridgeSettings unlimitedBudgets() {
        return budgets(UNLIMITED_PER_MINUTE, 200);
    }

    /** The same budget for every method, the default included, and the burst every budget allows. */
    public BridgeSettings budgets(int perMinute, int burst) {
        with("BRIDGE_SLACK_BUDGET_DEFAULT", Integer.toString(perMinute)).with("BRIDGE_SLACK_BUDGET_BURST", Integer.toString(burst));
        for (SlackMethod method : SlackMethod.values()) {
            budget(method, perMinute);
        }
        return this;
    }

    /**
     * Lets a stopped or killed instance's partitions move to the others after a few seconds instead
     * of the default 45: the bridge uses static membership, so a member that goes away keeps its
     * partitions until its session expires (6 s is the broker's default minimum).
     */
    public BridgeSettings shortSessions() {
        return with("BRIDGE_KAFKA_STREAMS_MAIN_CONSUMER_SESSION_TIMEOUT_MS", "6000")
                .with("BRIDGE_KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000");
    }

    /** The variables, as a process environment or for {@code BridgeConfig.load}. */
    public Map<String, String> variables() {
        return Map.copyOf(variables);
    }

    /** The variable holding {@code method}'s budget, e.g. {@code BRIDGE_SLACK_BUDGET_CALLS_PARTICIPANTS_ADD}. */
    public static String budgetVariable(SlackMethod method) {
        return "BRIDGE_SLACK_BUDGET_" + method.apiName().toUpperCase(Locale.ROOT).replace('.', '_');
    }
}
