package dev.callbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.app_backend.SlackSignature.Generator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The emulator signs as Slack does, by the SDK's own reckoning. */
class SlackSignatureTest {

    @Test
    void theSignatureIsTheOneTheSdkComputesForTheSameSecretTimestampAndBody() {
        String body = "{\"type\":\"event_callback\",\"event\":{\"type\":\"app_uninstalled\",\"text\":\"é ✓\"}}";

        String signature = SlackSignature.of("8f742231b10e8888abcd99yyyzzz85a5", 1_531_420_618L,
                body.getBytes(StandardCharsets.UTF_8));

        assertThat(signature).matches("v0=[0-9a-f]{64}")
                .isEqualTo(new Generator("8f742231b10e8888abcd99yyyzzz85a5").generate("1531420618", body));
    }

    @Test
    void anotherSecretTimestampOrBodySignsDifferently() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String signature = SlackSignature.of("secret", 1L, body);

        assertThat(SlackSignature.of("other", 1L, body)).isNotEqualTo(signature);
        assertThat(SlackSignature.of("secret", 2L, body)).isNotEqualTo(signature);
        assertThat(SlackSignature.of("secret", 1L, "{ }".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(signature);
    }
}
