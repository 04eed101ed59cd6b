package dev.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.testkit.ProviderWebhooks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The voice-AI platform's signature: over the time and the raw body, with the shared secret, fresh. */
class VoiceAiSignatureTest {

    private static final byte[] BODY = "{\"event\":\"call_ended\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-01-31T09:30:00Z");
    private final VoiceAiSignature signature = new VoiceAiSignature("whsec_test");

    @Test
    void aSignatureMadeWithTheSecretOverTheBodyChecksOut() {
        String header = ProviderWebhooks.voiceAiSignature("whsec_test", NOW.getEpochSecond(), BODY);

        assertThat(signature.problem(header, BODY, NOW)).isNull();
        assertThat(signature.problem(header.toUpperCase().replace("T=", "t=").replace("V1=", "v1="), BODY, NOW)).isNull();
    }

    @Test
    void anotherBodyAnotherSecretOrAnotherTimeDoNot() {
        String header = ProviderWebhooks.voiceAiSignature("whsec_test", NOW.getEpochSecond(), BODY);
        String otherSecret = ProviderWebhooks.voiceAiSignature("whsec_other", NOW.getEpochSecond(), BODY);
        String movedTime = header.replace("t=" + NOW.getEpochSecond(), "t=" + (NOW.getEpochSecond() + 1));

        assertThat(signature.problem(header, "{\"event\":\"call_started\"}".getBytes(StandardCharsets.UTF_8), NOW))
                .contains("does not match");
        assertThat(signature.problem(otherSecret, BODY, NOW)).contains("does not match");
        assertThat(signature.problem(movedTime, BODY, NOW)).contains("does not match");
    }

    @Test
    void duringARotationOneMatchingSignatureOfSeveralIsEnough() {
        String old = ProviderWebhooks.voiceAiSignature("whsec_old", NOW.getEpochSecond(), BODY);
        String current = ProviderWebhooks.voiceAiSignature("whsec_test", NOW.getEpochSecond(), BODY);

        assertThat(signature.problem(old + "," + current.substring(current.indexOf("v1=")), BODY, NOW)).isNull();
    }

    @Test
    void aSignatureMoreThanFiveMinutesOffEitherWayIsRefused() {
        long fiveMinutes = VoiceAiSignature.TOLERANCE.toSeconds();
        for (long offset : new long[] {-fiveMinutes, fiveMinutes}) {
            long t = NOW.getEpochSecond() + offset;
            assertThat(signature.problem(ProviderWebhooks.voiceAiSignature("whsec_test", t, BODY), BODY, NOW)).isNull();
        }
        for (long offset : new long[] {-fiveMinutes - 1, fiveMinutes + 1}) {
            long t = NOW.getEpochSecond() + offset;
            assertThat(signature.problem(ProviderWebhooks.voiceAiSignature("whsec_test", t, BODY), BODY, NOW))
                    .contains("from the ingress's clock");
        }
        assertThat(signature.problem(ProviderWebhooks.voiceAiSignature("whsec_test", NOW.getEpochSecond(), BODY), BODY,
                NOW.plus(Duration.ofHours(1)))).isNotNull();
    }

    @Test
    void aMissingOrMalformedHeaderIsRefused() {
        assertThat(signature.problem(null, BODY, NOW)).isEqualTo("X-Provider-Signature is missing");
        assertThat(signature.problem("v1=abcd", BODY, NOW)).contains("must be t=<unix seconds>,v1=");
        assertThat(signature.problem("t=" + NOW.getEpochSecond(), BODY, NOW)).contains("must be t=<unix seconds>,v1=");
        assertThat(signature.problem("t=" + NOW.getEpochSecond() + ",v1=not-hex", BODY, NOW)).contains("does not match");
    }
}
