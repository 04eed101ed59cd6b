package dev.callbridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callbridge.dispatch.Budget;
import dev.callbridge.ingress.IngressConfig;
import dev.callbridge.installations.TokenCipher;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.slack.SlackToken;
import dev.callbridge.slack.SlackTokens;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.topology.CallStateLimit;
import dev.callbridge.topology.CatchUp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BridgeConfigTest {

    @Test
    void settingsTheBridgesGuaranteesRestOnAreTakenWithItsOwnValues() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_KAFKA_STREAMS_PROCESSING_GUARANTEE", "exactly_once_v2");
        env.put("BRIDGE_KAFKA_CONSUMER_ISOLATION_LEVEL", "read_committed");
        env.put("BRIDGE_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", "false");
        env.put("BRIDGE_KAFKA_CONSUMER_AUTO_OFFSET_RESET", "earliest");
        assertThat(BridgeConfig.load(env, null).streamsOverrides())
                .containsEntry("processing.guarantee", "exactly_once_v2");
    }

    /** Kafka's clients take these values in lower case only: refused here, with the reason, not at their start. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            BRIDGE_KAFKA_STREAMS_PROCESSING_GUARANTEE | at_least_once  | (kafka.streams.processing.guarantee) must be exactly_once_v2 or unset
            BRIDGE_KAFKA_CONSUMER_ISOLATION_LEVEL     | read_uncommitted | (kafka.consumer.isolation.level) must be read_committed or unset
            BRIDGE_KAFKA_CONSUMER_ISOLATION_LEVEL     | READ_COMMITTED | (kafka.consumer.isolation.level) must be read_committed or unset
            BRIDGE_KAFKA_CONSUMER_ENABLE_AUTO_COMMIT  | true           | (kafka.consumer.enable.auto.commit) must be false or unset
            BRIDGE_KAFKA_CONSUMER_AUTO_OFFSET_RESET   | latest         | (kafka.consumer.auto.offset.reset) must be earliest or unset
            BRIDGE_KAFKA_CONSUMER_GROUP_ID            | mine           | (kafka.consumer.group.id) may not be set
            BRIDGE_KAFKA_PRODUCER_TRANSACTIONAL_ID    | mine           | (kafka.producer.transactional.id) may not be set
            """)
    void settingsTheBridgesGuaranteesRestOnAreRefusedWithAnyOtherValue(String variable, String value, String refusal) {
        Map<String, String> env = minimal();
        env.put(variable, value);
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining(variable + " " + refusal)
                .hasMessageContaining("got '" + value + "'");
    }

    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092");
        env.put("SLACK_TOKEN", "xoxb-config-test");
        return env;
    }

    @Test
    void aMinimalEnvironmentGivesTheDocumentedDefaults() {
        BridgeConfig config = BridgeConfig.load(minimal(), null);

        assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(config.applicationId()).isEqualTo("call-bridge");
        assertThat(config.topicPartitions()).isEqualTo(6);
        assertThat(config.topicReplicationFactor()).isEqualTo((short) 3);
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.slackBaseUrl()).isEqualTo("https://slack.com/api/");
        assertThat(config.budgets()).containsEntry(SlackMethod.CALLS_ADD, new Budget(50, 1))
                .containsEntry(SlackMethod.CHAT_POST_MESSAGE, new Budget(60, 1))
                .containsEntry(SlackMethod.CHAT_UPDATE, new Budget(50, 1))
                .containsEntry(SlackMethod.CONVERSATIONS_REPLIES, new Budget(50, 1));
        assertThat(config.reconciler().endsFromSlack("urn:callbridge:voice-ai")).isFalse();
        assertThat(config.reconciler().staleAfter()).isEqualTo(Duration.ofHours(12));
        assertThat(config.recoveryRetention()).isEqualTo(Duration.ofDays(14));
        assertThat(config.maxInlineWait()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.topics().callEvents().name()).isEqualTo("telephony.call-events");
        assertThat(config.dispatcher().groupId()).isEqualTo("call-bridge-dispatcher");
        assertThat(config.topology().stateLimit()).isEqualTo(new CallStateLimit(512 * 1024, 1000));
        assertThat(config.topology().catchUp()).isEqualTo(new CatchUp(Duration.ofSeconds(2), Duration.ofSeconds(2)));
    }

    @Test
    void holdingBacklogCallsTakesTwoDurationsAndZeroTurnsItOff() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_CALLS_CATCHUP_BEHIND", "30s");
        env.put("BRIDGE_CALLS_CATCHUP_HOLD", "500ms");
        assertThat(BridgeConfig.load(env, null).topology().catchUp())
                .isEqualTo(new CatchUp(Duration.ofSeconds(30), Duration.ofMillis(500)));

        env.put("BRIDGE_CALLS_CATCHUP_HOLD", "0");
        assertThat(BridgeConfig.load(env, null).topology().catchUp().enabled()).isFalse();

        env.put("BRIDGE_CALLS_CATCHUP_HOLD", "2m");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_CALLS_CATCHUP_HOLD (calls.catchup.hold) must be between 0 and 60s, got '2m'");
        env.put("BRIDGE_CALLS_CATCHUP_HOLD", "2s");
        env.put("BRIDGE_CALLS_CATCHUP_BEHIND", "100ms");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_CALLS_CATCHUP_BEHIND (calls.catchup.behind) must be at least 500ms, was 100ms");
        env.put("BRIDGE_CALLS_CATCHUP_BEHIND", "2s");
        env.put("BRIDGE_CALLS_CATCHUP_HOLD", "soon");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("calls.catchup.hold");
    }

    @Test
    void theDefaultsTakeSettingsByTheirKeysAndNeedNoToken() {
        BridgeConfig config = BridgeConfig.defaults(Map.of("slack.default.channel", "C0CALLS", "calls.stale.after", "1h"));

        assertThat(config.tokens().isEmpty()).isTrue();
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.reconciler().defaultChannel()).isEqualTo("C0CALLS");
        assertThat(config.reconciler().staleAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(config.reconciler()).isEqualTo(BridgeConfig.load(Map.of("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "BRIDGE_SLACK_DEFAULT_CHANNEL", "C0CALLS", "BRIDGE_CALLS_STALE_AFTER", "1h"), null, false).reconciler());
    }

    @Test
    void theSlackAppNeedsAllItsSecretsAndThenNoTokenOfItsOwn() {
        Map<String, String> env = minimal();
        env.remove("SLACK_TOKEN");
        env.put("BRIDGE_SLACK_APP_CLIENT_ID", "123.456");
        env.put("BRIDGE_SLACK_APP_CLIENT_SECRET", "client-secret-value");
        env.put("BRIDGE_SLACK_APP_SIGNING_SECRET", "signing-secret-value");

        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_SLACK_APP_ENCRYPTION_KEYS (slack.app.encryption.keys) is missing");

        env.put("BRIDGE_SLACK_APP_ENCRYPTION_KEYS", "k1:encryption-key-value");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_SLACK_APP_ENCRYPTION_KEYS (slack.app.encryption.keys): ")
                .hasMessageNotContaining("encryption-key-value");

        String key = TokenCipher.newKey("k1");
        env.put("BRIDGE_SLACK_APP_ENCRYPTION_KEYS", key);
        BridgeConfig config = BridgeConfig.load(env, null);

        assertThat(config.app()).hasValueSatisfying(app -> {
            assertThat(app.clientId()).isEqualTo("123.456");
            assertThat(app.scopes()).isEqualTo("calls:read,calls:write,chat:write,channels:history,groups:history");
            assertThat(app.authorizeUrl()).isEqualTo("https://slack.com/oauth/v2/authorize");
        });
        assertThat(config.toString()).contains("123.456")
                .doesNotContain("client-secret-value", "signing-secret-value", key.substring(3));
        assertThat(BridgeConfig.load(minimal(), null).app()).isEmpty();
    }

    @Test
    void socketModeTakesAnAppLevelTokenForTheSlackAppAndNeverShowsIt() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_SLACK_APP_SOCKET_MODE_TOKEN", "xapp-1-A1-2-secret-app-token");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_SLACK_APP_SOCKET_MODE_TOKEN (slack.app.socket.mode.token)")
                .hasMessageContaining("BRIDGE_SLACK_APP_CLIENT_ID")
                .hasMessageNotContaining("secret-app-token");

        env.put("BRIDGE_SLACK_APP_CLIENT_ID", "123.456");
        env.put("BRIDGE_SLACK_APP_CLIENT_SECRET", "client-secret-value");
        env.put("BRIDGE_SLACK_APP_SIGNING_SECRET", "signing-secret-value");
        env.put("BRIDGE_SLACK_APP_ENCRYPTION_KEYS", TokenCipher.newKey("k1"));
        BridgeConfig config = BridgeConfig.load(env, null);
        assertThat(config.app()).hasValueSatisfying(app ->
                assertThat(app.socketModeToken()).isEqualTo("xapp-1-A1-2-secret-app-token"));
        assertThat(config.toString()).contains("socketMode=true").doesNotContain("secret-app-token");

        env.put("BRIDGE_SLACK_APP_SOCKET_MODE_TOKEN", "xoxb-a-bot-token-by-mistake");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_SLACK_APP_SOCKET_MODE_TOKEN (slack.app.socket.mode.token) must be")
                .hasMessageContaining("xapp-")
                .hasMessageNotContaining("a-bot-token-by-mistake");

        env.remove("BRIDGE_SLACK_APP_SOCKET_MODE_TOKEN");
        assertThat(BridgeConfig.load(env, null).app()).hasValueSatisfying(app ->
                assertThat(app.socketModeToken()).as("events over /slack/events").isNull());
    }

    @Test
    void kafkaStreamsCommitsEvery50MsUnlessToldOtherwise() {
        assertThat(BridgeConfig.defaults().streamsOverrides()).containsEntry("commit.interval.ms", "50");
        assertThat(BridgeConfig.defaults(Map.of("kafka.streams.commit.interval.ms", "200")).streamsOverrides())
                .containsEntry("commit.interval.ms", "200");
    }

    @Test
    void theTestKitsBudgetVariablesAreTheOnesTheBridgeReads() {
        for (SlackMethod method : SlackMethod.values()) {
            assertThat(BridgeSettings.budgetVariable(method)).isEqualTo(ConfigSource.envName("slack.budget." + method.apiName()));
        }
    }

    @Test
    void environmentVariablesOverrideTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bridge.properties");
        Files.writeString(file, """
                kafka.bootstrap.servers=from-file:9092
                topics.prefix=acme.
                topics.partitions=12
                calls.stale.after=6h
                slack.budget.calls.add=40
                slack.budget.chat.postMessage=30
                kafka.streams.num.stream.threads=4
                kafka.consumer.max.poll.records=50
                """);
        Map<String, String> env = minimal();
        env.put("BRIDGE_TOPICS_PARTITIONS", "24");
        env.put("BRIDGE_KAFKA_PRODUCER_LINGER_MS", "20");

        BridgeConfig config = BridgeConfig.load(env, file);

        assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(config.topicPartitions()).isEqualTo(24);
        assertThat(config.topics().callOps().name()).isEqualTo("acme.slack.call-ops");
        assertThat(config.reconciler().staleAfter()).isEqualTo(Duration.ofHours(6));
        assertThat(config.budgets().get(SlackMethod.CALLS_ADD).perMinute()).isEqualTo(40);
        assertThat(config.budgets().get(SlackMethod.CHAT_POST_MESSAGE).perMinute()).isEqualTo(30);
        assertThat(config.streamsOverrides()).containsEntry("num.stream.threads", "4");
        assertThat(config.consumerOverrides()).containsEntry("max.poll.records", "50");
        assertThat(config.producerOverrides()).containsEntry("linger.ms", "20");
        assertThat(config.dispatcher().producerOverrides()).containsEntry("linger.ms", "20");
        assertThat(config.dispatcher().consumerOverrides()).containsEntry("max.poll.records", "50")
                .containsKey("group.instance.id");
    }

    @Test
    void aMissingBootstrapServerIsNamed() {
        Map<String, String> env = minimal();
        env.remove("BRIDGE_KAFKA_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_KAFKA_BOOTSTRAP_SERVERS (kafka.bootstrap.servers) is required");
    }

    @Test
    void badValuesAreNamedWithWhatTheyShouldBe() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_TOPICS_PARTITIONS", "many");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_TOPICS_PARTITIONS (topics.partitions)")
                .hasMessageContaining("positive whole number")
                .hasMessageContaining("'many'");

        env.put("BRIDGE_TOPICS_PARTITIONS", "3");
        env.put("BRIDGE_CALLS_STALE_AFTER", "soon");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_CALLS_STALE_AFTER (calls.stale.after)")
                .hasMessageContaining("duration");

        env.remove("BRIDGE_CALLS_STALE_AFTER");
        env.put("BRIDGE_SLACK_BASE_URL", "slack.com/api");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).hasMessageContaining("BRIDGE_SLACK_BASE_URL");

        env.remove("BRIDGE_SLACK_BASE_URL");
        env.put("BRIDGE_HTTP_PORT", "70000");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).hasMessageContaining("BRIDGE_HTTP_PORT");
    }

    @Test
    void withoutAnyTokenTheBridgeRefusesToStart() {
        Map<String, String> env = minimal();
        env.remove("SLACK_TOKEN");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).hasMessageContaining("no Slack token");
    }

    @Test
    void theOperatorsToolsThatNeverCallSlackLoadWithoutAToken() {
        Map<String, String> env = minimal();
        env.remove("SLACK_TOKEN");
        assertThat(BridgeConfig.load(env, null, false).tokens().isEmpty()).isTrue();
    }

    @Test
    void aRecoveryRetentionShorterThanTheStaleTimeIsRefused() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_CALLS_RECOVERY_RETENTION", "6h");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("calls.recovery.retention")
                .hasMessageContaining("calls.stale.after");
    }

    @Test
    void aCallsStateLimitIsTakenUpToWhatOneRecordMayHold() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_CALLS_STATE_MAX_BYTES", "1000000");
        env.put("BRIDGE_CALLS_PARTICIPANTS_MAX", "250");
        assertThat(BridgeConfig.load(env, null).topology().stateLimit()).isEqualTo(new CallStateLimit(1_000_000, 250));

        env.put("BRIDGE_CALLS_STATE_MAX_BYTES", "1048576");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_CALLS_STATE_MAX_BYTES (calls.state.max.bytes)")
                .hasMessageContaining("at most 1000000");

        env.put("BRIDGE_CALLS_STATE_MAX_BYTES", "none");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_CALLS_STATE_MAX_BYTES (calls.state.max.bytes)");

        env.remove("BRIDGE_CALLS_STATE_MAX_BYTES");
        env.put("BRIDGE_CALLS_PARTICIPANTS_MAX", "0");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_CALLS_PARTICIPANTS_MAX (calls.participants.max)");
    }

    @Test
    void anEventLimitAboveTheCallsStateLimitIsRefused() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_CALLS_STATE_MAX_BYTES", "100000");
        env.put("BRIDGE_EVENTS_MAX_BYTES", "200000");

        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_EVENTS_MAX_BYTES (events.max.bytes)")
                .hasMessageContaining("BRIDGE_CALLS_STATE_MAX_BYTES (calls.state.max.bytes)");
    }

    @Test
    void clientSettingsGivenForKafkaStreamsReachTheToolsClientsToo() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_KAFKA_STREAMS_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("BRIDGE_KAFKA_STREAMS_NUM_STREAM_THREADS", "2");
        Map<String, Object> admin = BridgeConfig.load(env, null).adminProperties();
        assertThat(admin).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "kafka-1:9092,kafka-2:9092")
                .doesNotContainKey("num.stream.threads");
    }

    @Test
    void tokensFromMountedFilesAreUsedAndNeverPrinted(@TempDir Path secrets) throws IOException {
        Files.writeString(secrets.resolve("T0SALES"), "xoxb-mounted-secret");
        Map<String, String> env = minimal();
        env.put("BRIDGE_SLACK_TOKEN_DIR", secrets.toString());

        BridgeConfig config = BridgeConfig.load(env, null);

        assertThat(config.tokens().forWorkspace("T0SALES").orElseThrow().reveal()).isEqualTo("xoxb-mounted-secret");
        assertThat(config.toString()).doesNotContain("xoxb-mounted-secret").doesNotContain("xoxb-config-test");
    }

    @Test
    void theDefaultTokenServesTheDefaultWorkspaceAndNoOtherWorkspace() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_SLACK_DEFAULT_TEAM_ID", "T0ACME");
        env.put("SLACK_TOKEN_T0SALES", "xoxb-sales-secret");

        SlackTokens tokens = BridgeConfig.load(env, null).tokens();

        assertThat(tokens.forWorkspace("T0ACME")).contains(new SlackToken("xoxb-config-test"));
        assertThat(tokens.forWorkspace(null)).contains(new SlackToken("xoxb-config-test"));
        assertThat(tokens.forWorkspace("T0SALES")).contains(new SlackToken("xoxb-sales-secret"));
        assertThat(tokens.forWorkspace("T0OTHER")).isEmpty();
    }

    @Test
    void durationsTakeUnitsOrIso() {
        assertThat(ConfigSource.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigSource.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(ConfigSource.parseDuration("PT90S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(ConfigSource.parseDuration("ninety")).isNull();
    }

    @Test
    void theIngressTakesCloudEventsOnlyByDefaultAndNeedsNoSlackToken() {
        Map<String, String> env = minimal();
        env.remove("SLACK_TOKEN");
        env.put("BRIDGE_TOPICS_PREFIX", "staging.");
        env.put("BRIDGE_KAFKA_STREAMS_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("BRIDGE_KAFKA_STREAMS_NUM_STREAM_THREADS", "4");
        env.put("BRIDGE_KAFKA_PRODUCER_LINGER_MS", "2");

        IngressConfig ingress = BridgeConfig.load(env, null, false).ingress();

        assertThat(ingress.httpPort()).isEqualTo(8081);
        assertThat(ingress.topic()).isEqualTo("staging.telephony.call-events");
        assertThat(ingress.deliveryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ingress.maxEventBytes()).isEqualTo(65536);
        assertThat(ingress.maxBatchBytes()).isEqualTo(1024 * 1024);
        assertThat(ingress.requestThreads()).isEqualTo(32);
        assertThat(ingress.requestQueue()).isEqualTo(64);
        assertThat(ingress.twilio()).isNull();
        assertThat(ingress.voiceAi()).isNull();
        assertThat(ingress.cloudEventsToken()).isNull();
        assertThat(ingress.clientProperties()).containsEntry("bootstrap.servers", "kafka-1:9092,kafka-2:9092")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "2")
                .doesNotContainKey("num.stream.threads");
    }

    @Test
    void aProvidersSecretTurnsItsWebhooksOnAndNeedsThePublicUrlAndAJoinLinkTemplate() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_INGRESS_TWILIO_AUTH_TOKEN", "twilio-secret-token");

        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_INGRESS_TWILIO_JOIN_URL_TEMPLATE (ingress.twilio.join.url.template) is required")
                .hasMessageNotContaining("twilio-secret-token");
        env.put("BRIDGE_INGRESS_TWILIO_JOIN_URL_TEMPLATE", "https://console.example.com/calls/{call_id}");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_INGRESS_PUBLIC_URL (ingress.public.url) is required");
        env.put("BRIDGE_INGRESS_PUBLIC_URL", "hooks.example.com");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_INGRESS_PUBLIC_URL (ingress.public.url) must be an http(s) URL");
        env.put("BRIDGE_INGRESS_PUBLIC_URL", "https://hooks.example.com");
        env.put("BRIDGE_INGRESS_VOICEAI_WEBHOOK_SECRET", "voice-ai-secret");
        env.put("BRIDGE_INGRESS_VOICEAI_JOIN_URL_TEMPLATE", "voiceapp://{call_id}");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_INGRESS_VOICEAI_JOIN_URL_TEMPLATE (ingress.voiceai.join.url.template) must be");
        env.put("BRIDGE_INGRESS_VOICEAI_JOIN_URL_TEMPLATE", "https://voice.example.com/calls/{call_id}");

        BridgeConfig config = BridgeConfig.load(env, null);

        assertThat(config.ingress().twilio()).isEqualTo(
                new IngressConfig.Provider("twilio-secret-token", "https://console.example.com/calls/{call_id}"));
        assertThat(config.ingress().voiceAi().secret()).isEqualTo("voice-ai-secret");
        assertThat(config.toString()).doesNotContain("twilio-secret-token", "voice-ai-secret");
    }

    @Test
    void theIngressRefusesADeliveryTimeoutNoSenderWaitsForAndABatchLimitBelowOneEvent() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_INGRESS_DELIVERY_TIMEOUT", "3m");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_INGRESS_DELIVERY_TIMEOUT (ingress.delivery.timeout) must be at most 2m");
        env.remove("BRIDGE_INGRESS_DELIVERY_TIMEOUT");
        env.put("BRIDGE_INGRESS_BATCH_MAX_BYTES", "1000");
        assertThatThrownBy(() -> BridgeConfig.load(env, null))
                .hasMessageContaining("BRIDGE_INGRESS_BATCH_MAX_BYTES (ingress.batch.max.bytes) must be at least");
    }
}
