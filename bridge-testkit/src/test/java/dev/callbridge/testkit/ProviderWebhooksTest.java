package dev.callbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The webhooks the tests send are signed as the providers sign them. */
class ProviderWebhooksTest {

    private static final String AUTH_TOKEN = "12345abcdef";
    private final ProviderWebhooks webhooks = new ProviderWebhooks("https://hooks.example.com/", AUTH_TOKEN, "whsec_demo");

    @Test
    void twiliosOwnValidatorAcceptsTheSignatureOfAStatusCallback() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("StatusCallbackEvent", "participant-join");
        parameters.put("ConferenceSid", "CF0123456789abcdef0123456789abcdef");
        parameters.put("FriendlyName", "Support & sales: room 7");
        parameters.put("SequenceNumber", "3");
        ProviderWebhooks.Request request = webhooks.twilioConference(parameters);
        RequestValidator validator = new RequestValidator(AUTH_TOKEN);
        String url = "https://hooks.example.com" + ProviderWebhooks.TWILIO_CONFERENCE_PATH;

        assertThat(validator.validate(url, parameters, request.headers().get("X-Twilio-Signature"))).isTrue();
        assertThat(new RequestValidator("another token").validate(url, parameters, request.headers().get("X-Twilio-Signature")))
                .isFalse();
        assertThat(new String(request.body(), StandardCharsets.UTF_8))
                .isEqualTo("StatusCallbackEvent=participant-join&ConferenceSid=CF0123456789abcdef0123456789abcdef"
                        + "&FriendlyName=Support+%26+sales%3A+room+7&SequenceNumber=3");
    }

    @Test
    void theVoiceAiSignatureIsAnHmacOfTheTimeAndTheBody() {
        String header = ProviderWebhooks.voiceAiSignature("secret", 1_700_000_000L, "{}".getBytes(StandardCharsets.UTF_8));

        // HMAC-SHA256("secret", "1700000000.{}"), worked out once with openssl dgst -sha256 -hmac secret.
        assertThat(header).isEqualTo("t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
    }
}
