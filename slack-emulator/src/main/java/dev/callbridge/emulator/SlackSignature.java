package dev.callbridge.emulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's request signature: {@code v0=} and the hex HMAC-SHA256, keyed with the app's signing
 * secret, of {@code v0:<timestamp>:<body>}.
 */
final class SlackSignature {

    private static final String HMAC_SHA256 = "HmacSHA256";

    private SlackSignature() {}

    /** The {@code X-Slack-Signature} of {@code body} sent at {@code timestamp} (epoch seconds). */
    static String of(String signingSecret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), HMAC_SHA256));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            // Every Java runtime has HmacSHA256.
            throw new IllegalStateException("cannot compute HMAC-SHA256", e);
        }
    }
}
