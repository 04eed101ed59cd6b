package dev.callbridge.ingress;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The voice-AI platform's webhook signature, {@code X-Provider-Signature: t=<unix seconds>,v1=<hex>}:
 * HMAC-SHA256 with the shared secret over {@code "<t>." + raw body}. A signature more than five
 * minutes from the ingress's clock, either way, is refused, so a captured webhook cannot be replayed later.
 */
final class VoiceAiSignature {

    static final String HEADER = "X-Provider-Signature";
    static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    VoiceAiSignature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /**
     * Why the header does not sign {@code body} at {@code now}, or {@code null} when it does. Several
     * {@code v1} values may be given (the platform signs with an old and a new secret while one is
     * rotated); one that matches is enough.
     */
    String problem(String header, byte[] body, Instant now) {
        if (header == null) {
            return HEADER + " is missing";
        }
        Long timestamp = null;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String item = part.strip();
            if (item.startsWith("t=") && item.substring(2).matches("\\d{1,12}")) {
                timestamp = Long.parseLong(item.substring(2));
            } else if (item.startsWith("v1=")) {
                signatures.add(item.substring(3));
            }
        }
        if (timestamp == null || signatures.isEmpty()) {
            return HEADER + " must be t=<unix seconds>,v1=<hex HMAC-SHA256>";
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(timestamp), now).abs();
        if (skew.compareTo(TOLERANCE) > 0) {
            return HEADER + " was made " + skew.toSeconds() + " s from the ingress's clock; at most "
                    + TOLERANCE.toSeconds() + " s are accepted";
        }
        byte[] expected = sign(timestamp, body);
        for (String signature : signatures) {
            if (MessageDigest.isEqual(expected, hex(signature))) {
                return null;
            }
        }
        return HEADER + " does not match the body (check the webhook secret)";
    }

    /** The {@code v1} value for {@code body} signed at {@code timestamp}, as the platform computes it. */
    byte[] sign(long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
