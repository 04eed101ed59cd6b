package dev.callbridge.emulator;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The tokens the emulator accepts, and the authentication errors Slack gives for the others: the
 * configured ones, and those OAuth installs issued since, which may expire or be revoked.
 */
final class Tokens {

    private final Map<String, TokenGrant> configured;
    private final ConcurrentMap<String, Access> byToken = new ConcurrentHashMap<>();
    private final Clock clock;

    /** What a token grants, and from when it no longer works. */
    record Access(TokenGrant grant, Instant expiresAt) {

        /** Whether the token no longer works at {@code now}; a token without an expiry works until revoked. */
        boolean expiredAt(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    Tokens(List<TokenGrant> grants, Clock clock) {
        Map<String, TokenGrant> grantsByToken = new HashMap<>();
        for (TokenGrant grant : grants) {
            if (grantsByToken.putIfAbsent(grant.token(), grant) != null) {
                // The message names the grant, never the token itself.
                throw new IllegalArgumentException("the same token is granted twice: " + grant);
            }
        }
        this.configured = Map.copyOf(grantsByToken);
        this.clock = clock;
        reset();
    }

    /** @throws MethodError {@code not_authed}, {@code invalid_auth}, {@code token_revoked} or {@code token_expired} */
    TokenGrant authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new MethodError("not_authed");
        }
        Access access = byToken.get(token);
        if (access == null) {
            throw new MethodError("invalid_auth");
        }
        if (access.grant().revoked()) {
            throw new MethodError("token_revoked");
        }
        if (access.expiredAt(clock.instant())) {
            throw new MethodError("token_expired");
        }
        return access.grant();
    }

    /** Accepts a newly issued token until {@code expiresAt} ({@code null}: until revoked). */
    void issue(TokenGrant grant, Instant expiresAt) {
        if (byToken.putIfAbsent(grant.token(), new Access(grant, expiresAt)) != null) {
            throw new IllegalStateException("a token was issued twice: " + grant);
        }
    }

    Optional<Access> find(String token) {
        return Optional.ofNullable(byToken.get(token));
    }

    void revoke(String token) {
        byToken.computeIfPresent(token, (t, access) -> new Access(access.grant().asRevoked(), access.expiresAt()));
    }

    /** Ends the token's life now, unless it has ended already. */
    void expire(String token) {
        Instant now = clock.instant();
        byToken.computeIfPresent(token,
                (t, access) -> access.expiredAt(now) ? access : new Access(access.grant(), now));
    }

    /** Forgets the issued tokens and restores the configured ones, which never stop working meanwhile. */
    void reset() {
        byToken.keySet().retainAll(configured.keySet());
        configured.forEach((token, grant) -> byToken.put(token, new Access(grant, null)));
    }
}
