package dev.callbridge.installations;

/** An encrypted token that cannot be decrypted; the message names the key id, never a key or a token. */
public final class TokenCipherException extends RuntimeException {

    public TokenCipherException(String message) {
        super(message);
    }
}
