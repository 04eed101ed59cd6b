package dev.callbridge.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.e2e.BridgeRig;
import dev.callbridge.e2e.EveryLogLine;
import dev.callbridge.emulator.Faults;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.Participant;
import dev.callbridge.testkit.DemoWorkspace;
import dev.callbridge.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the bridge with known tokens (and the provider's API key) through successes, rate limits and
 * refusals, with the Slack SDK's and the bridge's loggers at TRACE, and looks for them everywhere they
 * could leak.
 */
class TokenNeverLoggedTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final String REVOKED_TEAM = "T0REVOKED";
    private static final String REVOKED_TOKEN = "xoxb-revoked-workspace-token";
    private static final String PROVIDER_KEY = "provider-api-key-never-shown";
    private static final List<String> TOKENS = List.of(DemoWorkspace.TOKEN, REVOKED_TOKEN, PROVIDER_KEY);

    @RegisterExtension
    final EveryLogLine logs = new EveryLogLine();
    private BridgeRig rig;

    @AfterEach
    void restore() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void theTokensAppearInNoLogLineRecordOrHeader() {
        rig = BridgeRig.start(KAFKA, "secret-", BridgeRig.demoEmulator()
                .revokedToken(REVOKED_TOKEN, REVOKED_TEAM)
                .faults(Faults.none().withSeed(11).withRateLimitBursts(0.2, 2, 1).withServerErrors(0.05)));
        rig.startService(rig.settings("0").with("SLACK_TOKEN_" + REVOKED_TEAM, REVOKED_TOKEN)
                .with("BRIDGE_PROVIDER_API_URL", "http://127.0.0.1:9/provider")
                .with("BRIDGE_PROVIDER_API_KEY", PROVIDER_KEY));
        Instant t0 = Instant.parse("2026-03-02T09:00:00Z");
        CallEvents good = CallEvents.sequenced("secret-good", "urn:callbridge:voice-ai", t0);
        CallEvents refused = CallEvents.sequenced("secret-refused", "pbx-test", t0);
        rig.send(List.of(
                good.started("https://pbx.example/j/good", "Fine", null, List.of(Participant.slackUser("U0ONE"))),
                good.after(Duration.ofSeconds(3)).joined(Participant.slackUser("U0TWO")),
                good.after(Duration.ofSeconds(3)).ended(),
                refused.started(new CallEventData.Started("https://pbx.example/j/bad", null, null, "Refused", null,
                        null, null, REVOKED_TEAM, List.of()))));

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            var views = rig.views();
            return views.containsKey("secret-good") && views.get("secret-good").observed().ended()
                    && views.containsKey("secret-refused") && views.get("secret-refused").observed().addFailed();
        });

        assertThat(logs.lines()).as("log lines captured").hasSizeGreaterThan(100);
        assertThat(logs.lines()).anyMatch(line -> line.contains("token_revoked"));
        for (String token : TOKENS) {
            assertThat(logs.lines()).as("log lines").noneMatch(line -> line.contains(token));
            for (ConsumerRecord<byte[], byte[]> record : rig.everyRecord()) {
                assertThat(text(record.key()) + text(record.value())).doesNotContain(token);
                for (Header header : record.headers()) {
                    assertThat(header.key() + text(header.value())).doesNotContain(token);
                }
            }
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
