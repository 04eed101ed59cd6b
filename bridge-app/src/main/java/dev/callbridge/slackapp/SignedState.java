package dev.callbridge.slackapp;

import com.slack.api.bolt.service.OAuthStateService;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OAuth state values that carry their own proof: a random nonce and an expiry, signed with a key
 * every instance shares. The browser may come back from Slack to any instance of the bridge, so the
 * state is checked by its signature instead of a per-instance store; Bolt's cookie still binds it to
 * the browser that started the install.
 */
final class SignedState implements OAuthStateService {

    private static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    SignedState(String secret, Clock clock) {
        this.key = new SecretKeySpec(("oauth-state:" + secret).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.clock = clock;
    }

    @Override
    public String generateNewStateValue() {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        String body = clock.instant().plus(LIFETIME).getEpochSecond() + "." + ENCODER.encodeToString(nonce);
        return body + "." + sign(body);
    }

    @Override
    public long getExpirationInSeconds() {
        return LIFETIME.toSeconds();
    }

    @Override
    public void addNewStateToDatastore(String state) {
        // Nothing to keep: the state proves itself.
    }

    @Override
    public boolean isAvailableInDatabase(String state) {
        if (state == null) {
            return false;
        }
        int last = state.lastIndexOf('.');
        int first = state.indexOf('.');
        if (first <= 0 || last <= first) {
            return false;
        }
        String body = state.substring(0, last);
        boolean signed = MessageDigest.isEqual(sign(body).getBytes(StandardCharsets.US_ASCII),
                state.substring(last + 1).getBytes(StandardCharsets.US_ASCII));
        try {
            return signed && clock.instant().getEpochSecond() <= Long.parseLong(state.substring(0, first));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public void deleteStateFromDatastore(String state) {
        // Nothing kept; the browser's state cookie is cleared by Bolt.
    }

    private String sign(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return ENCODER.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
