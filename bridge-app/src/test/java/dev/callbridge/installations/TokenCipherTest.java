package dev.callbridge.installations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenCipherTest {

    private static final String TOKEN = "xoxb-1111-2222-secretsecret";
    private static final String RECORD = "-/T0ACME";
    private static final String KEY_A = TokenCipher.newKey("k1");
    private static final String KEY_B = TokenCipher.newKey("k2");

    private final TokenCipher cipher = TokenCipher.parseKeys(KEY_A);

    @Test
    void aTokenEncryptedForARecordDecryptsForIt() {
        String encrypted = cipher.encrypt(TOKEN, RECORD);

        assertThat(encrypted).startsWith("v1:k1:").doesNotContain(TOKEN);
        assertThat(cipher.decrypt(encrypted, RECORD)).isEqualTo(TOKEN);
        assertThat(TokenCipher.keyIdOf(encrypted)).isEqualTo("k1");
    }

    @Test
    void eachEncryptionHasItsOwnIv() {
        assertThat(cipher.encrypt(TOKEN, RECORD)).isNotEqualTo(cipher.encrypt(TOKEN, RECORD));
    }

    @Test
    void anotherKeyUnderTheSameIdIsNamedAsTheWrongKey() {
        String encrypted = cipher.encrypt(TOKEN, RECORD);
        TokenCipher changed = TokenCipher.parseKeys("k1:" + KEY_B.substring(KEY_B.indexOf(':') + 1));

        assertThatThrownBy(() -> changed.decrypt(encrypted, RECORD))
                .isInstanceOf(TokenCipherException.class)
                .hasMessageContaining("token key 'k1' is not the key the token was encrypted with")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void aTokenMovedToAnotherWorkspacesRecordDoesNotDecrypt() {
        String encrypted = cipher.encrypt(TOKEN, RECORD);

        assertThatThrownBy(() -> cipher.decrypt(encrypted, "-/T0OTHER"))
                .isInstanceOf(TokenCipherException.class)
                .hasMessageContaining("key 'k1' does not verify for record -/T0OTHER")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void anyAlteredByteIsRefused() {
        String encrypted = cipher.encrypt(TOKEN, RECORD);
        String prefix = encrypted.substring(0, encrypted.lastIndexOf(':') + 1);
        byte[] sealed = Base64.getDecoder().decode(encrypted.substring(prefix.length()));

        for (int i = 0; i < sealed.length; i++) {
            byte[] altered = sealed.clone();
            altered[i] ^= 0x01;
            String tampered = prefix + Base64.getEncoder().encodeToString(altered);
            assertThatThrownBy(() -> cipher.decrypt(tampered, RECORD)).as("byte %d altered", i)
                    .isInstanceOf(TokenCipherException.class)
                    .hasMessageContaining("it was altered");
        }
    }

    @Test
    void aKeyIdNotAmongTheKeysIsNamed() {
        String encrypted = TokenCipher.parseKeys(KEY_B).encrypt(TOKEN, RECORD);

        assertThatThrownBy(() -> cipher.decrypt(encrypted, RECORD))
                .isInstanceOf(TokenCipherException.class)
                .hasMessage("the token was encrypted with key 'k2', which is not among the token keys [k1]");
    }

    @Test
    void somethingThatIsNotAnEncryptedTokenIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> cipher.decrypt(TOKEN, RECORD))
                .isInstanceOf(TokenCipherException.class)
                .hasMessageStartingWith("not an encrypted token")
                .hasMessageNotContaining(TOKEN);
        assertThatThrownBy(() -> cipher.decrypt("v1:k1:" + cipher.encrypt(TOKEN, RECORD).split(":")[2] + ":AAAA", RECORD))
                .hasMessageContaining("too short");
    }

    @Test
    void afterANewKeyIsPutFirstOldTokensStillDecryptAndNewOnesUseTheNewKey() {
        String old = cipher.encrypt(TOKEN, RECORD);
        TokenCipher rotated = TokenCipher.parseKeys(KEY_B + " , " + KEY_A);

        assertThat(rotated.decrypt(old, RECORD)).isEqualTo(TOKEN);
        String renewed = rotated.encrypt(TOKEN, RECORD);
        assertThat(TokenCipher.keyIdOf(renewed)).isEqualTo("k2");
        assertThat(rotated.decrypt(renewed, RECORD)).isEqualTo(TOKEN);
        assertThatThrownBy(() -> cipher.decrypt(renewed, RECORD)).hasMessageContaining("key 'k2'");
    }

    @Test
    void malformedKeysAreRefusedByEntryOrIdWithoutEchoingAKey() {
        String keyA = KEY_A.substring(3);
        assertThatThrownBy(() -> TokenCipher.parseKeys(" ")).hasMessageStartingWith("no token keys");
        assertThatThrownBy(() -> TokenCipher.parseKeys(keyA))
                .hasMessage("token key entry 1 is not keyId:base64Key");
        assertThatThrownBy(() -> TokenCipher.parseKeys(KEY_A + ",k2:not*base64"))
                .hasMessage("token key 'k2' is not valid base64");
        assertThatThrownBy(() -> TokenCipher.parseKeys("short:" + Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessage("token key 'short' is 16 bytes; AES-256 needs 32");
        assertThatThrownBy(() -> TokenCipher.parseKeys(KEY_A + "," + KEY_A))
                .hasMessage("token key id 'k1' is given twice");
        assertThatThrownBy(() -> TokenCipher.parseKeys(KEY_A + ","))
                .hasMessage("token key entry 2 is not keyId:base64Key");
        assertThatThrownBy(() -> TokenCipher.parseKeys(keyA + ":k1"))
                .hasMessageStartingWith("token key entry 1: a key id is")
                .hasMessageNotContaining(keyA);
    }

    @Test
    void printingTheCipherShowsOnlyKeyIds() {
        assertThat(TokenCipher.parseKeys(KEY_B + "," + KEY_A)).hasToString("TokenCipher[keys=[k2, k1]]");
    }
}
