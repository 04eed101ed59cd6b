package dev.callbridge.provider.emulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The platform's webhook signature, {@code X-Provider-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>}
 * keyed with the webhook secret over {@code "<t>." + raw body}.
 */
public final class ProviderSignature {

    public static final String HEADER = "X-Provider-Signature";
    private static final String HMAC_SHA256 = "HmacSHA256";

    private ProviderSignature() {}

    /** The header's value for {@code body} sent at {@code epochSeconds}. */
    public static String of(String secret, long epochSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_SHA256));
            mac.update((epochSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            // Every Java runtime has HmacSHA256.
            throw new IllegalStateException("cannot compute HMAC-SHA256", e);
        }
    }
}
