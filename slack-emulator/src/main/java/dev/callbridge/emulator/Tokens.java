package dev.callbridge.emulator;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tokens the emulator accepts, and the authentication errors Slack gives for the others. */
final class Tokens {

    private final Map<String, TokenGrant> byToken;

    Tokens(List<TokenGrant> grants) {
        Map<String, TokenGrant> grantsByToken = new HashMap<>();
        for (TokenGrant grant : grants) {
            if (grantsByToken.putIfAbsent(grant.token(), grant) != null) {
                // The message names the grant, never the token itself.
                throw new IllegalArgumentException("the same token is granted twice: " + grant);
            }
        }
        this.byToken = Map.copyOf(grantsByToken);
    }

    /** @throws MethodError {@code not_authed}, {@code invalid_auth} or {@code token_revoked} */
    TokenGrant authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new MethodError("not_authed");
        }
        TokenGrant grant = byToken.get(token);
        if (grant == null) {
            throw new MethodError("invalid_auth");
        }
        if (grant.revoked()) {
            throw new MethodError("token_revoked");
        }
        return grant;
    }
}
