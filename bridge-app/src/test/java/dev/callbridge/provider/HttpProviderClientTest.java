package dev.callbridge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.provider.ProviderClient.CallStatus.Kind;
import dev.callbridge.provider.ProviderClient.EndAnswer;
import dev.callbridge.provider.emulator.CallSnapshot;
import dev.callbridge.provider.emulator.Faults;
import dev.callbridge.provider.emulator.ProviderEmulator;
import dev.callbridge.provider.emulator.StartCall;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The platform's API as the bridge calls it, against the platform emulator. */
class HttpProviderClientTest {

    private static final String KEY = "provider-client-test-key";
    private static final ProviderEmulator PROVIDER =
            ProviderEmulator.builder().apiKey(KEY).webhookSecret("whsec").build().start();

    private final HttpProviderClient client =
            new HttpProviderClient(new ProviderApiConfig(PROVIDER.baseUrl() + "/", KEY, Duration.ofSeconds(2)));

    @AfterAll
    static void stop() {
        PROVIDER.close();
    }

    private static CallSnapshot liveCall() {
        return PROVIDER.client().start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));
    }

    @Test
    void aLiveCallIsEndedWithTheReasonAndThenShownEnded() {
        CallSnapshot call = liveCall();
        assertThat(client.status(call.callId()).kind()).isEqualTo(Kind.IN_PROGRESS);

        assertThat(client.end(call.callId(), "Ended from Slack by <@U0ADA>")).isEqualTo(EndAnswer.ENDED);

        assertThat(client.status(call.callId())).satisfies(status -> {
            assertThat(status.kind()).isEqualTo(Kind.ENDED);
            assertThat(status.disconnectReason()).isEqualTo("Ended from Slack by <@U0ADA>");
        });
        assertThat(PROVIDER.client().endRequests()).filteredOn(r -> call.callId().equals(r.callId()))
                .singleElement().satisfies(r -> assertThat(r.disconnectReason()).isEqualTo("Ended from Slack by <@U0ADA>"));
    }

    @Test
    void theEmptyAnswerOfAFailureSaysNothing() {
        CallSnapshot call = liveCall();
        client.end(call.callId(), "first");

        assertThat(client.end(call.callId(), "again")).isEqualTo(EndAnswer.NOTHING_SAID);
        assertThat(client.end(UUID.randomUUID().toString(), "unknown")).isEqualTo(EndAnswer.NOTHING_SAID);
        PROVIDER.client().faults(Faults.none().withEndIgnored(true));
        try {
            assertThat(client.end(liveCall().callId(), "ignored")).isEqualTo(EndAnswer.NOTHING_SAID);
        } finally {
            PROVIDER.client().faults(Faults.none());
        }
    }

    @Test
    void anUnknownCallIsNotFoundAndAWrongKeyIsRefused() {
        CallSnapshot call = liveCall();
        HttpProviderClient wrongKey =
                new HttpProviderClient(new ProviderApiConfig(PROVIDER.baseUrl(), "wrong", Duration.ofSeconds(2)));

        assertThat(client.status(UUID.randomUUID().toString()).kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(wrongKey.end(call.callId(), "x")).isEqualTo(EndAnswer.REFUSED);
        assertThat(wrongKey.status(call.callId()).kind()).isEqualTo(Kind.REFUSED);
        assertThat(client.status(call.callId()).kind()).isEqualTo(Kind.IN_PROGRESS);
    }

    @Test
    void aPlatformNobodyAnswersForIsUnreachable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpProviderClient nowhere = new HttpProviderClient(
                new ProviderApiConfig("http://127.0.0.1:" + closedPort, KEY, Duration.ofSeconds(1)));

        assertThat(nowhere.end(UUID.randomUUID().toString(), "x")).isEqualTo(EndAnswer.UNREACHABLE);
        assertThat(nowhere.status(UUID.randomUUID().toString()).kind()).isEqualTo(Kind.UNREACHABLE);
    }
}
