package dev.callbridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callbridge.reconcile.ReconcilerSettings;
import dev.callbridge.slackapp.EndCallConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The End call button's settings: the provider's API turns it on; the users and channels say who may click it. */
class EndCallSettingsTest {

    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("BRIDGE_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092");
        env.put("SLACK_TOKEN", "xoxb-config-test");
        return env;
    }

    private static Map<String, String> withProvider() {
        Map<String, String> env = minimal();
        env.put("BRIDGE_PROVIDER_API_URL", "https://api.voice-ai.example/v1/");
        env.put("BRIDGE_PROVIDER_API_KEY", "provider-secret-key");
        return env;
    }

    @Test
    void withoutTheProvidersApiThereIsNoEndCallButton() {
        assertThat(BridgeConfig.load(minimal(), null).endCallControl()).isEmpty();
    }

    @Test
    void theProvidersApiTurnsTheButtonOnForNobodyUntilUsersOrChannelsAreListed() {
        EndCallConfig endCall = BridgeConfig.load(withProvider(), null).endCallControl().orElseThrow();

        assertThat(endCall.provider().url()).isEqualTo("https://api.voice-ai.example/v1");
        assertThat(endCall.provider().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(endCall.confirmTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(endCall.users()).isEmpty();
        assertThat(endCall.allows("U0ADA", "C0CALLS")).isFalse();
    }

    @Test
    void usersAndChannelsAreCommaSeparatedIds() {
        Map<String, String> env = withProvider();
        env.put("BRIDGE_SLACK_APP_ENDCALL_USERS", "U0ADA, W0GRACE");
        env.put("BRIDGE_SLACK_APP_ENDCALL_CHANNELS", "C0OPS");
        env.put("BRIDGE_PROVIDER_ENDCALL_CONFIRM_TIMEOUT", "45s");
        env.put("BRIDGE_PROVIDER_API_TIMEOUT", "2s");

        EndCallConfig endCall = BridgeConfig.load(env, null).endCallControl().orElseThrow();

        assertThat(endCall.users()).isEqualTo(Set.of("U0ADA", "W0GRACE"));
        assertThat(endCall.channels()).isEqualTo(Set.of("C0OPS"));
        assertThat(endCall.confirmTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(endCall.provider().timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theKeyIsRequiredAndNeverPrinted() {
        Map<String, String> env = withProvider();
        assertThat(BridgeConfig.load(env, null).toString()).contains("api.voice-ai.example")
                .doesNotContain("provider-secret-key");

        env.remove("BRIDGE_PROVIDER_API_KEY");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).isInstanceOf(BridgeConfigException.class)
                .hasMessageContaining("BRIDGE_PROVIDER_API_KEY (provider.api.key) is required");
    }

    @Test
    void badValuesAreNamed() {
        Map<String, String> env = withProvider();
        env.put("BRIDGE_PROVIDER_API_URL", "ftp://voice-ai.example");
        assertThatThrownBy(() -> BridgeConfig.load(env, null)).hasMessageContaining("provider.api.url");

        Map<String, String> users = withProvider();
        users.put("BRIDGE_SLACK_APP_ENDCALL_USERS", "ada");
        assertThatThrownBy(() -> BridgeConfig.load(users, null))
                .hasMessageContaining("BRIDGE_SLACK_APP_ENDCALL_USERS (slack.app.endcall.users)")
                .hasMessageContaining("'ada' is not a Slack user id");

        Map<String, String> channels = withProvider();
        channels.put("BRIDGE_SLACK_APP_ENDCALL_CHANNELS", "#calls");
        assertThatThrownBy(() -> BridgeConfig.load(channels, null))
                .hasMessageContaining("slack.app.endcall.channels");

        Map<String, String> noProvider = minimal();
        noProvider.put("BRIDGE_SLACK_APP_ENDCALL_USERS", "U0ADA");
        assertThatThrownBy(() -> BridgeConfig.load(noProvider, null))
                .hasMessageContaining("slack.app.endcall.users").hasMessageContaining("provider.api.url");
    }

    @Test
    void callsFromTheVoiceAiPlatformGetTheButtonUnlessOtherSourcesAreListedAndNoneWithoutTheApi() {
        assertThat(BridgeConfig.load(minimal(), null).reconciler().endsFromSlack("urn:callbridge:voice-ai")).isFalse();
        ReconcilerSettings byDefault = BridgeConfig.load(withProvider(), null).reconciler();
        assertThat(byDefault.endsFromSlack("urn:callbridge:voice-ai")).isTrue();
        assertThat(byDefault.endsFromSlack("urn:callbridge:twilio")).isFalse();

        Map<String, String> env = withProvider();
        env.put("BRIDGE_PROVIDER_ENDCALL_SOURCES", "urn:callbridge:twilio, urn:pbx:acme ,");
        ReconcilerSettings listed = BridgeConfig.load(env, null).reconciler();

        assertThat(listed.endsFromSlack("urn:pbx:acme")).isTrue();
        assertThat(listed.endsFromSlack("urn:callbridge:twilio")).isTrue();
        assertThat(listed.endsFromSlack("urn:callbridge:voice-ai")).isFalse();
    }
}
