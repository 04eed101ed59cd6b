package dev.callbridge.config;

import dev.callbridge.dispatch.Budget;
import dev.callbridge.dispatch.DispatcherConfig;
import dev.callbridge.dispatch.RetryPolicy;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.reconcile.ReconcilerSettings;
import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.slack.SlackTokens;
import dev.callbridge.slackapp.SlackAppConfig;
import dev.callbridge.topics.Topics;
import dev.callbridge.topology.CallStateLimit;
import dev.callbridge.topology.RecordLimits;
import dev.callbridge.topology.TopologyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The bridge's whole configuration, built once at start-up from the environment and an optional
 * properties file (see {@link ConfigSource} for how keys map to variables) and validated there; the
 * rest of the bridge reads only this. Every key, its default and meaning are in
 * {@code docs/configuration.md}.
 */
public record BridgeConfig(
        String bootstrapServers,
        String applicationId,
        String instanceId,
        String topicPrefix,
        int topicPartitions,
        short topicReplicationFactor,
        Path stateDir,
        int httpPort,
        String slackBaseUrl,
        Duration slackTimeout,
        SlackTokens tokens,
        Map<SlackMethod, Budget> budgets,
        Budget defaultBudget,
        int dispatchConcurrency,
        Duration maxInlineWait,
        Duration commitInterval,
        RetryPolicy retryPolicy,
        ReconcilerSettings reconciler,
        Duration sweepInterval,
        Duration recoveryRetention,
        int maxEventBytes,
        CallStateLimit stateLimit,
        Map<String, String> streamsOverrides,
        Map<String, String> consumerOverrides,
        Map<String, String> producerOverrides,
        SlackAppConfig slackApp) {

    /** The bot scopes the Slack app asks for: what the Calls API and the call block need. */
    private static final String APP_SCOPES = "calls:read,calls:write,chat:write";
    /** The settings that turn the Slack app on: all of them, or none. */
    private static final List<String> APP_KEYS = List.of("slack.app.client.id", "slack.app.client.secret",
            "slack.app.signing.secret", "slack.app.encryption.keys");

    /** Slack's documented tiers: {@code calls.*} in Tier 3 (50 a minute), {@code chat.postMessage} about one a second. */
    private static final Map<SlackMethod, Integer> SLACK_TIER_PER_MINUTE = Map.of(
            SlackMethod.CALLS_ADD, 50,
            SlackMethod.CALLS_PARTICIPANTS_ADD, 50,
            SlackMethod.CALLS_PARTICIPANTS_REMOVE, 50,
            SlackMethod.CALLS_UPDATE, 50,
            SlackMethod.CALLS_END, 50,
            SlackMethod.CALLS_INFO, 50,
            SlackMethod.CHAT_POST_MESSAGE, 60);
    /** Three times the longest retry tier, so a parked operation reports in long before it counts as lost. */
    private static final Duration DEFAULT_OP_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration MIN_OP_TIMEOUT = Duration.ofMinutes(10);

    public BridgeConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        budgets = Map.copyOf(budgets);
        streamsOverrides = Map.copyOf(streamsOverrides);
        consumerOverrides = Map.copyOf(consumerOverrides);
        producerOverrides = Map.copyOf(producerOverrides);
    }

    /**
     * Reads and validates the configuration.
     *
     * @param environment the process environment (or a test's stand-in)
     * @param propertiesFile an optional properties file; {@code null} for none
     * @throws BridgeConfigException naming the first bad key
     */
    public static BridgeConfig load(Map<String, String> environment, Path propertiesFile) {
        return load(environment, propertiesFile, true);
    }

    /**
     * Reads and validates the configuration; operators' tools that never call Slack pass
     * {@code tokenRequired = false}.
     */
    public static BridgeConfig load(Map<String, String> environment, Path propertiesFile, boolean tokenRequired) {
        ConfigSource source = ConfigSource.of(environment, propertiesFile);
        String defaultTeamId = source.get("slack.default.team.id").orElse(null);
        SlackTokens tokens = SlackTokens.fromEnvironment(environment);
        if (source.get("slack.token.dir").isPresent()) {
            Path dir = Path.of(source.required("slack.token.dir"));
            if (!dir.toFile().isDirectory()) {
                throw new BridgeConfigException(ConfigSource.describe("slack.token.dir") + " is not a directory: " + dir);
            }
            tokens = tokens.orElse(SlackTokens.fromDirectory(dir));
        }
        tokens = tokens.withDefaultTeamId(defaultTeamId);
        SlackAppConfig slackApp = slackApp(source);
        if (tokenRequired && tokens.isEmpty() && slackApp == null) {
            throw new BridgeConfigException("no Slack token: set SLACK_TOKEN (or SLACK_TOKEN_<TEAM_ID>), or "
                    + ConfigSource.describe("slack.token.dir") + ", or install the Slack app (" + APP_KEYS.stream()
                    .map(ConfigSource::describe).collect(Collectors.joining(", ")) + ")");
        }
        int replication = source.positiveInt("topics.replication.factor", 3);
        if (replication > Short.MAX_VALUE) {
            throw new BridgeConfigException(ConfigSource.describe("topics.replication.factor") + " is too large");
        }
        String baseUrl = source.string("slack.base.url", SdkSlackClient.SLACK_API_URL);
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw new BridgeConfigException(ConfigSource.describe("slack.base.url")
                    + " must be an http(s) URL such as https://slack.com/api/, got '" + baseUrl + "'");
        }
        int burst = source.positiveInt("slack.budget.burst", 1);
        Map<SlackMethod, Budget> budgets = new EnumMap<>(SlackMethod.class);
        SLACK_TIER_PER_MINUTE.forEach((method, perMinute) -> budgets.put(method,
                new Budget(source.positiveInt("slack.budget." + method.apiName(), perMinute), burst)));
        ReconcilerSettings reconciler = new ReconcilerSettings(
                defaultTeamId,
                source.get("slack.default.channel").orElse(null),
                source.get("slack.default.created.by").orElse(null),
                source.duration("calls.stale.after", Duration.ofHours(12)),
                source.duration("calls.ended.retention", Duration.ofDays(7)),
                source.positiveInt("calls.dedupe.window", 512),
                opTimeout(source));
        Duration recoveryRetention =
                source.duration("calls.recovery.retention", Duration.ofDays(14));
        if (recoveryRetention.compareTo(reconciler.staleAfter()) < 0) {
            throw new BridgeConfigException(ConfigSource.describe("calls.recovery.retention")
                    + " must be at least " + ConfigSource.describe("calls.stale.after") + " (" + reconciler.staleAfter()
                    + "), or a live call's view could expire while the call goes on");
        }
        int maxStateBytes = source.positiveInt("calls.state.max.bytes", 512 * 1024);
        if (maxStateBytes > RecordLimits.MAX_RECORD_BYTES) {
            throw new BridgeConfigException(ConfigSource.describe("calls.state.max.bytes") + " must be at most "
                    + RecordLimits.MAX_RECORD_BYTES + ", what one record of the bridge may take; got "
                    + maxStateBytes);
        }
        int maxEventBytes = source.positiveInt("events.max.bytes", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES);
        if (maxEventBytes > maxStateBytes) {
            throw new BridgeConfigException(ConfigSource.describe("events.max.bytes") + " must be at most "
                    + ConfigSource.describe("calls.state.max.bytes") + " (" + maxStateBytes
                    + "): a larger event could not be kept in its call's state; got " + maxEventBytes);
        }
        CallStateLimit stateLimit = new CallStateLimit(maxStateBytes,
                source.positiveInt("calls.participants.max", 1000));
        Map<String, String> streams = new HashMap<>(source.withPrefix("kafka.streams"));
        // An operation reaches the dispatcher only when its transaction commits: half of exactly-once's
        // 100 ms default halves the wait an event has before it can go to Slack.
        streams.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50");
        return new BridgeConfig(
                source.required("kafka.bootstrap.servers"),
                source.string("application.id", "call-bridge"),
                source.string("instance.id", environment.getOrDefault("HOSTNAME", "call-bridge-0")),
                source.string("topics.prefix", ""),
                source.positiveInt("topics.partitions", 6),
                (short) replication,
                Path.of(source.string("state.dir", "bridge-state")),
                source.port("http.port", 8080),
                baseUrl.endsWith("/") ? baseUrl : baseUrl + "/",
                source.duration("slack.timeout", Duration.ofSeconds(10)),
                tokens,
                budgets,
                new Budget(source.positiveInt("slack.budget.default", 20), burst),
                source.positiveInt("dispatch.concurrency", 16),
                source.duration("dispatch.max.inline.wait", Duration.ofSeconds(5)),
                source.duration("dispatch.commit.interval", Duration.ofMillis(50)),
                new RetryPolicy(
                        source.duration("retry.base.delay", Duration.ofSeconds(1)),
                        source.duration("retry.max.delay", Duration.ofMinutes(5)),
                        source.positiveInt("retry.max.attempts", 8),
                        source.positiveInt("retry.max.rate.limited", 100)),
                reconciler,
                source.duration("calls.sweep.interval", Duration.ofMinutes(1)),
                recoveryRetention,
                maxEventBytes,
                stateLimit,
                streams,
                source.withPrefix("kafka.consumer"),
                source.withPrefix("kafka.producer"),
                slackApp);
    }

    /** The Slack app's settings, or {@code null} when none of them is given. */
    private static SlackAppConfig slackApp(ConfigSource source) {
        List<String> given = APP_KEYS.stream().filter(key -> source.get(key).isPresent()).toList();
        if (given.isEmpty()) {
            return null;
        }
        for (String key : APP_KEYS) {
            if (!given.contains(key)) {
                throw new BridgeConfigException(ConfigSource.describe(key) + " is missing: the Slack app needs "
                        + APP_KEYS.stream().map(ConfigSource::describe).collect(Collectors.joining(", ")));
            }
        }
        try {
            TokenCipher.parseKeys(source.required("slack.app.encryption.keys"));
        } catch (IllegalArgumentException e) {
            throw new BridgeConfigException(ConfigSource.describe("slack.app.encryption.keys") + ": " + e.getMessage());
        }
        return new SlackAppConfig(
                source.required("slack.app.client.id"),
                source.required("slack.app.client.secret"),
                source.required("slack.app.signing.secret"),
                source.string("slack.app.scopes", APP_SCOPES),
                source.get("slack.app.redirect.url").orElse(null),
                source.string("slack.app.authorize.url", SlackAppConfig.SLACK_AUTHORIZE_URL),
                source.required("slack.app.encryption.keys"),
                source.duration("slack.app.token.refresh.before", Duration.ofMinutes(15)),
                source.get("slack.app.completion.url").orElse(null));
    }

    /** The Slack app's settings, when the bridge is installed as one. */
    public Optional<SlackAppConfig> app() {
        return Optional.ofNullable(slackApp);
    }

    /**
     * The configuration with every default, but for the given keys (as in the properties file, e.g.
     * {@code slack.default.channel}); without {@code kafka.bootstrap.servers}, {@code localhost:9092}.
     * No Slack token is required.
     */
    public static BridgeConfig defaults(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>();
        environment.put(ConfigSource.envName("kafka.bootstrap.servers"), "localhost:9092");
        settings.forEach((key, value) -> environment.put(ConfigSource.envName(key), value));
        return load(environment, null, false);
    }

    /** The configuration with every default; see {@link #defaults(Map)}. */
    public static BridgeConfig defaults() {
        return defaults(Map.of());
    }

    public Topics topics() {
        return Topics.withPrefix(topicPrefix, maxEventBytes);
    }

    private static Duration opTimeout(ConfigSource source) {
        Duration timeout = source.duration("calls.op.timeout", DEFAULT_OP_TIMEOUT);
        // An operation parked in the longest retry tier reports in only when it comes back from it.
        if (timeout.compareTo(MIN_OP_TIMEOUT) < 0) {
            throw new BridgeConfigException(ConfigSource.describe("calls.op.timeout") + " must be at least "
                    + MIN_OP_TIMEOUT.toMinutes() + "m (twice the longest retry tier), was " + timeout);
        }
        return timeout;
    }

    public TopologyConfig topology() {
        return new TopologyConfig(topics(), reconciler, sweepInterval, recoveryRetention, stateLimit, 0);
    }

    /**
     * Settings for the bridge's own Kafka clients outside Kafka Streams (topic set-up, the operators'
     * commands): the bootstrap servers and whichever {@code kafka.streams.*} settings are client
     * settings, so security settings given once reach them too.
     */
    public Map<String, Object> adminProperties() {
        Map<String, Object> props = new HashMap<>();
        streamsOverrides.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                props.put(key, value);
            }
        });
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    public DispatcherConfig dispatcher() {
        Map<String, Object> consumer = new HashMap<>(consumerOverrides);
        // Static membership: a restarted instance takes its partitions back without a rebalance.
        consumer.putIfAbsent("group.instance.id", applicationId + "-dispatcher-" + instanceId);
        return new DispatcherConfig(bootstrapServers, applicationId + "-dispatcher",
                applicationId + "-dispatcher-" + instanceId, topics(), budgets, defaultBudget, retryPolicy,
                maxInlineWait, dispatchConcurrency, commitInterval, slackTimeout, consumer,
                Map.<String, Object>copyOf(producerOverrides), reconciler.defaultTeamId());
    }

    @Override
    public String toString() {
        // Tokens print as workspaces only; SlackTokens never shows a token.
        return "BridgeConfig[bootstrapServers=" + bootstrapServers + ", applicationId=" + applicationId
                + ", instanceId=" + instanceId + ", topicPrefix='" + topicPrefix + "', partitions=" + topicPartitions
                + ", replication=" + topicReplicationFactor + ", stateDir=" + stateDir + ", httpPort=" + httpPort
                + ", slackBaseUrl=" + slackBaseUrl + ", tokens=" + tokens + ", budgets=" + budgets + ", slackApp="
                + slackApp + "]";
    }
}
