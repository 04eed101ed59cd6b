package dev.callbridge.config;

import dev.callbridge.dispatch.Budget;
import dev.callbridge.dispatch.DispatcherConfig;
import dev.callbridge.dispatch.RetryPolicy;
import dev.callbridge.ingress.IngressConfig;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.reconcile.ReconcilerSettings;
import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.slack.SlackTokens;
import dev.callbridge.provider.ProviderApiConfig;
import dev.callbridge.slackapp.EndCallConfig;
import dev.callbridge.slackapp.SlackAppConfig;
import dev.callbridge.topics.Topics;
import dev.callbridge.topology.CallStateLimit;
import dev.callbridge.topology.CatchUp;
import dev.callbridge.topology.RecordLimits;
import dev.callbridge.topology.TopologyConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
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
        CatchUp catchUp,
        Duration recoveryRetention,
        int maxEventBytes,
        CallStateLimit stateLimit,
        Map<String, String> streamsOverrides,
        Map<String, String> consumerOverrides,
        Map<String, String> producerOverrides,
        SlackAppConfig slackApp,
        EndCallConfig endCall,
        IngressConfig ingress) {

    /**
     * The bot scopes the Slack app asks for: what the Calls API and the call block need, and the history
     * scopes that let the dispatcher look in a call block's thread for a reply whose answer was lost.
     */
    private static final String APP_SCOPES = "calls:read,calls:write,chat:write,channels:history,groups:history";
    /** The voice-AI platform's events, as the bridge's ingress writes them: by default its calls get the End call button. */
    private static final String VOICE_AI_SOURCE = "urn:callbridge:voice-ai";
    /** The settings that turn the Slack app on: all of them, or none. */
    private static final List<String> APP_KEYS = List.of("slack.app.client.id", "slack.app.client.secret",
            "slack.app.signing.secret", "slack.app.encryption.keys");
    /** The app-level token that moves the app's events from {@code /slack/events} to Socket Mode. */
    public static final String SOCKET_MODE_TOKEN_KEY = "slack.app.socket.mode.token";

    /**
     * Slack's documented tiers: {@code calls.*}, {@code chat.update} and {@code conversations.replies} in
     * Tier 3 (50 a minute), {@code chat.postMessage} about one a second.
     */
    private static final Map<SlackMethod, Integer> SLACK_TIER_PER_MINUTE = Map.of(
            SlackMethod.CALLS_ADD, 50,
            SlackMethod.CALLS_PARTICIPANTS_ADD, 50,
            SlackMethod.CALLS_PARTICIPANTS_REMOVE, 50,
            SlackMethod.CALLS_UPDATE, 50,
            SlackMethod.CALLS_END, 50,
            SlackMethod.CALLS_INFO, 50,
            SlackMethod.CHAT_POST_MESSAGE, 60,
            SlackMethod.CHAT_UPDATE, 50,
            SlackMethod.CONVERSATIONS_REPLIES, 50);
    /** Three times the longest retry tier, so a parked operation reports in long before it counts as lost. */
    private static final Duration DEFAULT_OP_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration MIN_OP_TIMEOUT = Duration.ofMinutes(10);
    /** A held calls.add waits at most this long: longer would only leave the call out of Slack. */
    private static final Duration MAX_CATCH_UP_HOLD = Duration.ofMinutes(1);
    private static final Duration MIN_CATCH_UP_BEHIND = Duration.ofMillis(500);
    /** Far beyond any webhook sender's patience, and within what Kafka's producer timeouts take. */
    private static final Duration MAX_DELIVERY_TIMEOUT = Duration.ofMinutes(2);

    public BridgeConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        budgets = Map.copyOf(budgets);
        streamsOverrides = Map.copyOf(streamsOverrides);
        consumerOverrides = Map.copyOf(consumerOverrides);
        producerOverrides = Map.copyOf(producerOverrides);
        Objects.requireNonNull(ingress, "ingress");
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
        EndCallConfig endCall = endCall(source);
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
                opTimeout(source),
                endCallSources(source, endCall));
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
        String bootstrapServers = source.required("kafka.bootstrap.servers");
        Topics topics = Topics.withPrefix(source.string("topics.prefix", ""), maxEventBytes);
        // An operation reaches the dispatcher only when its transaction commits: half of exactly-once's
        // 100 ms default halves the wait an event has before it can go to Slack.
        streams.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50");
        Map<String, String> consumer = source.withPrefix("kafka.consumer");
        // What each Slack request's single sending rests on: passed through, these would lose or repeat
        // requests without a word, so a value other than the bridge's own is refused.
        requireKept("kafka.streams", streams, StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
                "the reconciler's state, operations and views are written in one transaction per commit");
        requireKept("kafka.consumer", consumer, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                "the dispatcher must not send an operation whose transaction was aborted");
        requireKept("kafka.consumer", consumer, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                "the dispatcher commits an operation's offset with its result, in one transaction");
        requireKept("kafka.consumer", consumer, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                "a partition the dispatcher never committed on holds operations to send");
        requireKept("kafka.consumer", consumer, ConsumerConfig.GROUP_ID_CONFIG, null,
                "the dispatchers' group is named after application.id");
        requireKept("kafka.producer", source.withPrefix("kafka.producer"), ProducerConfig.TRANSACTIONAL_ID_CONFIG, null,
                "each instance's transactional id comes from application.id and instance.id, and fences its zombies");
        return new BridgeConfig(
                bootstrapServers,
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
                catchUp(source),
                recoveryRetention,
                maxEventBytes,
                stateLimit,
                streams,
                consumer,
                source.withPrefix("kafka.producer"),
                slackApp,
                endCall,
                ingress(source, bootstrapServers, topics.callEvents().name(), streams, maxEventBytes));
    }

    /**
     * The End call button's settings: the provider's API (which turns it on) and who may click it;
     * {@code null} without {@code provider.api.url}.
     */
    private static EndCallConfig endCall(ConfigSource source) {
        Optional<String> url = source.get("provider.api.url");
        if (url.isEmpty()) {
            for (String key : List.of("slack.app.endcall.users", "slack.app.endcall.channels")) {
                if (source.get(key).isPresent()) {
                    throw new BridgeConfigException(ConfigSource.describe(key) + " needs "
                            + ConfigSource.describe("provider.api.url") + ": without it there is no End call button");
                }
            }
            return null;
        }
        ProviderApiConfig provider;
        try {
            provider = new ProviderApiConfig(url.get(), source.get("provider.api.key").orElseThrow(
                    () -> new BridgeConfigException(ConfigSource.describe("provider.api.key") + " is required with "
                            + ConfigSource.describe("provider.api.url"))),
                    source.duration("provider.api.timeout", Duration.ofSeconds(5)));
        } catch (IllegalArgumentException e) {
            throw new BridgeConfigException(ConfigSource.describe("provider.api.url") + ": " + e.getMessage());
        }
        Set<String> users = idList(source, "slack.app.endcall.users");
        Set<String> channels = idList(source, "slack.app.endcall.channels");
        try {
            return new EndCallConfig(provider, users, channels,
                    source.duration("provider.endcall.confirm.timeout", Duration.ofSeconds(20)));
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().contains("user id") ? "slack.app.endcall.users" : "slack.app.endcall.channels";
            throw new BridgeConfigException(ConfigSource.describe(key) + ": " + e.getMessage());
        }
    }

    /**
     * The event sources whose calls get the End call button: {@code provider.endcall.sources}, the
     * voice-AI platform's by default; none without {@code provider.api.url}.
     */
    private static Set<String> endCallSources(ConfigSource source, EndCallConfig endCall) {
        if (endCall == null) {
            return Set.of();
        }
        return Arrays.stream(source.string("provider.endcall.sources", VOICE_AI_SOURCE).split(","))
                .map(String::strip)
                .filter(sourceName -> !sourceName.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static Set<String> idList(ConfigSource source, String key) {
        return source.get(key).map(list -> Arrays.stream(list.split(",")).map(String::strip)
                .filter(id -> !id.isEmpty()).collect(Collectors.toSet())).orElse(Set.of());
    }

    /** The End call button's settings, when the provider's API is configured. */
    public Optional<EndCallConfig> endCallControl() {
        return Optional.ofNullable(endCall);
    }

    /** {@code bridge ingress}'s settings; a provider's webhooks are on when its secret is given. */
    private static IngressConfig ingress(ConfigSource source, String bootstrapServers, String topic,
            Map<String, String> streams, int maxEventBytes) {
        Map<String, Object> client = new HashMap<>();
        // Security settings given once for Kafka Streams reach the ingress's clients too, as the admin client's do.
        streams.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                client.put(key, value);
            }
        });
        client.putAll(source.withPrefix("kafka.producer"));
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Duration deliveryTimeout = source.duration("ingress.delivery.timeout", Duration.ofSeconds(5));
        if (deliveryTimeout.compareTo(MAX_DELIVERY_TIMEOUT) > 0) {
            throw new BridgeConfigException(ConfigSource.describe("ingress.delivery.timeout") + " must be at most "
                    + MAX_DELIVERY_TIMEOUT.toMinutes() + "m: a webhook's sender gives up long before; got " + deliveryTimeout);
        }
        int maxBatchBytes = source.positiveInt("ingress.batch.max.bytes", 1024 * 1024);
        if (maxBatchBytes < maxEventBytes) {
            throw new BridgeConfigException(ConfigSource.describe("ingress.batch.max.bytes") + " must be at least "
                    + ConfigSource.describe("events.max.bytes") + " (" + maxEventBytes + "), or a batch could not hold "
                    + "one event the ingress takes alone; got " + maxBatchBytes);
        }
        IngressConfig.Provider twilio = provider(source, "ingress.twilio.auth.token", "ingress.twilio.join.url.template");
        IngressConfig.Provider voiceAi =
                provider(source, "ingress.voiceai.webhook.secret", "ingress.voiceai.join.url.template");
        URI publicUrl = source.get("ingress.public.url").map(url -> webUrl("ingress.public.url", url)).orElse(null);
        if ((twilio != null || voiceAi != null) && publicUrl == null) {
            throw new BridgeConfigException(ConfigSource.describe("ingress.public.url") + " is required with "
                    + (twilio != null ? ConfigSource.describe("ingress.twilio.auth.token")
                            : ConfigSource.describe("ingress.voiceai.webhook.secret"))
                    + ": it is the address providers call the ingress at, such as https://hooks.example.com");
        }
        return new IngressConfig(
                source.port("ingress.http.port", 8081),
                topic,
                client,
                deliveryTimeout,
                maxEventBytes,
                maxBatchBytes,
                source.positiveInt("ingress.request.threads", 32),
                source.positiveInt("ingress.request.queue", 64),
                publicUrl,
                source.get("ingress.cloudevents.token").orElse(null),
                twilio,
                voiceAi);
    }

    /** A provider's webhooks, when its secret is given; then its join link template is required too. */
    private static IngressConfig.Provider provider(ConfigSource source, String secretKey, String templateKey) {
        Optional<String> secret = source.get(secretKey);
        if (secret.isEmpty()) {
            return null;
        }
        String template = source.get(templateKey).orElseThrow(() -> new BridgeConfigException(
                ConfigSource.describe(templateKey) + " is required with " + ConfigSource.describe(secretKey)
                        + ": the join link Slack shows for the provider's calls, with "
                        + IngressConfig.CALL_ID_PLACEHOLDER + " standing for the call's id"));
        webUrl(templateKey, template.replace(IngressConfig.CALL_ID_PLACEHOLDER, "call-id"));
        return new IngressConfig.Provider(secret.get(), template);
    }

    /** An http(s) URL that names a host, as the value of {@code key}. */
    private static URI webUrl(String key, String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            if (scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below with the key's name.
        }
        throw new BridgeConfigException(ConfigSource.describe(key)
                + " must be an http(s) URL that names a host, such as https://hooks.example.com, got '" + value + "'");
    }

    /** The Slack app's settings, or {@code null} when none of them is given. */
    private static SlackAppConfig slackApp(ConfigSource source) {
        List<String> given = APP_KEYS.stream().filter(key -> source.get(key).isPresent()).toList();
        String socketModeToken = source.get(SOCKET_MODE_TOKEN_KEY).orElse(null);
        if (given.isEmpty()) {
            if (socketModeToken != null) {
                throw new BridgeConfigException(ConfigSource.describe(SOCKET_MODE_TOKEN_KEY)
                        + " is for the Slack app, which needs " + APP_KEYS.stream().map(ConfigSource::describe)
                        .collect(Collectors.joining(", ")));
            }
            return null;
        }
        if (socketModeToken != null && !socketModeToken.startsWith("xapp-")) {
            // The value is a secret: the message says what it should be, never what it is.
            throw new BridgeConfigException(ConfigSource.describe(SOCKET_MODE_TOKEN_KEY)
                    + " must be the app's app-level token (xapp-..., with the scope connections:write),"
                    + " not a bot or user token");
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
                source.get("slack.app.completion.url").orElse(null),
                socketModeToken);
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
        return new TopologyConfig(topics(), reconciler, sweepInterval, recoveryRetention, stateLimit, 0, catchUp);
    }

    /**
     * Refuses a pass-through setting the bridge's guarantees rest on, unless it has the bridge's own value
     * exactly (Kafka's clients take these values only in lower case); {@code kept} {@code null} refuses any.
     */
    private static void requireKept(String prefix, Map<String, String> settings, String key, String kept, String why) {
        String value = settings.get(key);
        if (value != null && (kept == null || !value.strip().equals(kept))) {
            throw new BridgeConfigException(ConfigSource.describe(prefix + "." + key)
                    + (kept == null ? " may not be set" : " must be " + kept + " or unset") + " (" + why + "), got '"
                    + value + "'");
        }
    }

    /** How a call's {@code calls.add} is held while the bridge reads a backlog; a hold of {@code 0} turns it off. */
    private static CatchUp catchUp(ConfigSource source) {
        Duration behindAfter = source.duration("calls.catchup.behind", Duration.ofSeconds(2));
        if (behindAfter.compareTo(MIN_CATCH_UP_BEHIND) < 0) {
            // Less would take events just delayed on their way (producer batching, the repartition hop) for a backlog.
            throw new BridgeConfigException(ConfigSource.describe("calls.catchup.behind") + " must be at least "
                    + MIN_CATCH_UP_BEHIND.toMillis() + "ms, was " + behindAfter.toMillis() + "ms");
        }
        String holdText = source.get("calls.catchup.hold").orElse("2s");
        Duration hold = holdText.equals("0") ? Duration.ZERO : ConfigSource.parseDuration(holdText);
        if (hold == null || hold.isNegative() || hold.compareTo(MAX_CATCH_UP_HOLD) > 0) {
            throw new BridgeConfigException(ConfigSource.describe("calls.catchup.hold") + " must be between 0 and "
                    + MAX_CATCH_UP_HOLD.toSeconds() + "s, got '" + holdText + "'");
        }
        return new CatchUp(behindAfter, hold);
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
                + slackApp + ", endCall=" + endCall + ", ingress=" + ingress + "]";
    }
}
