package dev.callbridge.emulator;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An app installed in a workspace, as the inspection API shows it: its tokens by id, never the
 * tokens themselves.
 *
 * @param botUserId the bot user the install's tokens act as, named in {@code tokens_revoked} events
 * @param installerUserId the user who allowed the install, {@code authed_user} in {@code oauth.v2.access}
 * @param scopes every scope granted by the installs so far
 * @param installedAt epoch seconds of the first install
 * @param tokens every token issued for the install, oldest first
 */
public record Installation(
        String clientId,
        String appId,
        String teamId,
        String teamName,
        String botUserId,
        String botId,
        String installerUserId,
        Set<String> scopes,
        long installedAt,
        List<IssuedToken> tokens) {

    public Installation {
        scopes = Collections.unmodifiableSortedSet(new TreeSet<>(scopes));
        tokens = List.copyOf(tokens);
    }

    /** The ids of the access tokens that still work, oldest first. */
    public List<String> liveAccessTokenIds() {
        return tokens.stream()
                .filter(token -> token.kind() == TokenKind.ACCESS && token.status() == TokenStatus.LIVE)
                .map(IssuedToken::id)
                .toList();
    }

    /** Whether a token authenticates Web API requests or renews access tokens. */
    public enum TokenKind { ACCESS, REFRESH }

    /** What became of a token: a refresh token is used up by its one use. */
    public enum TokenStatus { LIVE, EXPIRED, REVOKED, USED }

    /**
     * One token issued for an install.
     *
     * @param id names the token in the controls ({@code access-7}, {@code refresh-8}); never reused
     * @param issuedAt epoch seconds
     * @param expiresAt epoch seconds from which an access token no longer works; {@code null} for never
     */
    public record IssuedToken(String id, TokenKind kind, long issuedAt, Long expiresAt, TokenStatus status) {}
}
