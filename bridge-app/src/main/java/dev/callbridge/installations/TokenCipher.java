package dev.callbridge.installations;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts Slack tokens for the installations topic with AES-256-GCM under named keys: the first
 * key encrypts, every key decrypts, so a key is rotated by putting a new one first.
 *
 * <p>A token's text form is {@code v1:<key id>:<key check>:<base64(iv | ciphertext and tag)>}. The
 * record's key is the additional authenticated data, so a token moved into another workspace's
 * record does not decrypt. The key check (the first 4 bytes of an HMAC of a fixed text under the key)
 * tells a wrong key under a known id apart from an altered value, which GCM alone reports alike.
 */
public final class TokenCipher {

    private static final String FORMAT = "v1";
    private static final String ALGORITHM = "AES/GCM/NoPadding";
    private static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Short enough that an entry written the wrong way round ({@code base64Key:keyId}) is refused without its key being echoed. */
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final String KEYS_FORMAT = "keyId:base64Key[,keyId:base64Key...]";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<NamedKey> keys;
    private final Map<String, NamedKey> byId;

    private TokenCipher(List<NamedKey> keys) {
        this.keys = List.copyOf(keys);
        Map<String, NamedKey> ids = new LinkedHashMap<>();
        keys.forEach(key -> ids.put(key.id, key));
        this.byId = ids;
    }

    /**
     * Reads the keys from their secret, {@code keyId:base64Key[,keyId2:base64Key2...]}, each a 32-byte
     * key in standard base64; the first encrypts. Errors name the entry or key id, never a key.
     *
     * @throws IllegalArgumentException if the text is empty, an entry is malformed, a key is not 32
     *     bytes of base64, or a key id repeats
     */
    public static TokenCipher parseKeys(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no token keys: expected " + KEYS_FORMAT);
        }
        String[] entries = text.split(",", -1);
        List<NamedKey> keys = new ArrayList<>();
        for (int n = 0; n < entries.length; n++) {
            NamedKey key = parseEntry(entries[n].strip(), n + 1);
            if (keys.stream().anyMatch(k -> k.id.equals(key.id))) {
                throw new IllegalArgumentException("token key id '" + key.id + "' is given twice");
            }
            keys.add(key);
        }
        return new TokenCipher(keys);
    }

    private static NamedKey parseEntry(String entry, int number) {
        int colon = entry.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("token key entry " + number + " is not keyId:base64Key");
        }
        String id = entry.substring(0, colon).strip();
        if (!KEY_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("token key entry " + number
                    + ": a key id is 1 to 32 letters, digits, '.', '_' or '-', before the ':'");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
            // The decoder's message quotes the offending character of the key, so it is not passed on.
            throw new IllegalArgumentException("token key '" + id + "' is not valid base64");
        }
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("token key '" + id + "' is " + bytes.length
                    + " bytes; AES-256 needs " + KEY_BYTES);
        }
        return new NamedKey(id, new SecretKeySpec(bytes, "AES"));
    }

    /** A new random key in the form {@link #parseKeys} reads, {@code keyId:base64Key}, for the runbook's key rotation. */
    public static String newKey(String keyId) {
        if (keyId == null || !KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("a key id is 1 to 32 letters, digits, '.', '_' or '-'");
        }
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return keyId + ":" + Base64.getEncoder().encodeToString(key);
    }

    /** {@code token} encrypted under the first key, bound to {@code recordKey}. */
    public String encrypt(String token, String recordKey) {
        NamedKey key = keys.get(0);
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.ENCRYPT_MODE, key.secret, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(recordKey.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return String.join(":", FORMAT, key.id, key.check, Base64.getEncoder().encodeToString(out));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available to encrypt with key '" + key.id + "'", e);
        }
    }

    /**
     * The token in {@code encrypted}, which must have been encrypted for {@code recordKey}.
     *
     * @throws TokenCipherException if the value is malformed, its key id is not among the keys, the
     *     key under that id is not the one it was encrypted with, or it was altered or belongs to
     *     another record
     */
    public String decrypt(String encrypted, String recordKey) {
        String[] parts = parts(encrypted);
        NamedKey key = byId.get(parts[1]);
        if (key == null) {
            throw new TokenCipherException("the token was encrypted with key '" + parts[1]
                    + "', which is not among the token keys " + byId.keySet());
        }
        if (!MessageDigest.isEqual(key.check.getBytes(StandardCharsets.US_ASCII),
                parts[2].getBytes(StandardCharsets.US_ASCII))) {
            throw new TokenCipherException("token key '" + key.id + "' is not the key the token was encrypted with"
                    + " (its key check differs): the key under that id has been changed");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new TokenCipherException("the encrypted token (key '" + key.id + "') is not valid base64");
        }
        if (in.length < IV_BYTES + TAG_BITS / 8) {
            throw new TokenCipherException("the encrypted token (key '" + key.id + "') is too short to hold an iv and a tag");
        }
        try {
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.DECRYPT_MODE, key.secret, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            cipher.updateAAD(recordKey.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new TokenCipherException("the token encrypted with key '" + key.id + "' does not verify for record "
                    + recordKey + ": it was altered, or belongs to another record");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available to decrypt with key '" + key.id + "'", e);
        }
    }

    /** The id of the key {@code encrypted} was encrypted with, read from its text without decrypting. */
    public static String keyIdOf(String encrypted) {
        return parts(encrypted)[1];
    }

    private static String[] parts(String encrypted) {
        String[] parts = encrypted == null ? new String[0] : encrypted.split(":", -1);
        if (parts.length != 4 || !parts[0].equals(FORMAT)) {
            throw new TokenCipherException("not an encrypted token: expected " + FORMAT
                    + ":<key id>:<key check>:<base64>");
        }
        return parts;
    }

    @Override
    public String toString() {
        return "TokenCipher[keys=" + byId.keySet() + "]";
    }

    /** A key and its id; it has no {@code toString} of its own, since a record's would print the key's hash. */
    private static final class NamedKey {
        final String id;
        final SecretKey secret;
        final String check;

        NamedKey(String id, SecretKey secret) {
            this.id = id;
            this.secret = secret;
            this.check = check(secret);
        }

        private static String check(SecretKey secret) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getEncoded(), "HmacSHA256"));
                byte[] digest = mac.doFinal("call-bridge token key check".getBytes(StandardCharsets.US_ASCII));
                return HexFormat.of().formatHex(digest, 0, 4);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        }
    }
}
