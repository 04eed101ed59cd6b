package dev.callbridge.provider.emulator;

import com.twilio.security.RequestValidator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's {@code X-Twilio-Signature} of a form-encoded callback: the Base64 HMAC-SHA1, keyed with the
 * account's auth token, of the URL followed by every parameter's name and value in name order.
 * Twilio's library keeps its signer to itself, so each signature is computed here and then checked
 * with Twilio's own {@link RequestValidator}: a callback the emulator sends is one Twilio's helpers accept.
 */
final class TwilioSignature {

    private static final String HMAC_SHA1 = "HmacSHA1";

    private final String authToken;
    private final RequestValidator validator;

    TwilioSignature(String authToken) {
        this.authToken = authToken;
        this.validator = new RequestValidator(authToken);
    }

    /** @throws IllegalStateException when Twilio's validator would refuse it: a bug here, never a request sent */
    String sign(String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> data.append(name).append(value));
        String signature;
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
            signature = Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot compute HMAC-SHA1", e);
        }
        if (!validator.validate(url, params, signature)) {
            throw new IllegalStateException("Twilio's RequestValidator refuses the signature computed for " + url);
        }
        return signature;
    }
}
