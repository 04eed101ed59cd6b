package dev.callbridge.emulator;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * A token the emulator accepts: the workspace it belongs to, the user and bot it acts as, its
 * scopes, and whether it has been revoked. A grant without a bot id is a user token.
 */
public record TokenGrant(
        String token, String teamId, String userId, String botId, Set<String> scopes, boolean revoked) {

    public TokenGrant {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a token grant needs a token");
        }
        if (teamId == null || teamId.isBlank()) {
            throw new IllegalArgumentException("a token grant needs a team id");
        }
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("a token grant needs a user id");
        }
        scopes = Set.copyOf(scopes);
    }

    /** A bot token of {@code teamId} holding {@code scopes}; its bot user is derived from the team id. */
    public static TokenGrant bot(String token, String teamId, Set<String> scopes) {
        return new TokenGrant(token, teamId, "U0BOT" + teamId, "B0" + teamId, scopes, false);
    }

    /** A bot token of {@code teamId} holding every scope the emulated methods need. */
    public static TokenGrant bot(String token, String teamId) {
        return bot(token, teamId, Scopes.ALL);
    }

    /** A user token: {@code calls.add} defaults {@code created_by} to its user. */
    public static TokenGrant user(String token, String teamId, String userId, Set<String> scopes) {
        return new TokenGrant(token, teamId, userId, null, scopes, false);
    }

    /**
     * A bot token from {@code TOKEN@TEAM_ID[:SCOPE,SCOPE...]}; without scopes it holds every scope.
     *
     * @throws IllegalArgumentException naming the expected form when {@code spec} does not match it
     */
    public static TokenGrant parse(String spec) {
        int at = spec.lastIndexOf('@');
        if (at <= 0 || at == spec.length() - 1) {
            throw new IllegalArgumentException(
                    "expected TOKEN@TEAM_ID[:SCOPE,SCOPE...], got a value without '@TEAM_ID'");
        }
        String token = spec.substring(0, at);
        String rest = spec.substring(at + 1);
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return bot(token, rest);
        }
        Set<String> scopes = new TreeSet<>(Arrays.asList(rest.substring(colon + 1).split(",")));
        scopes.remove("");
        return bot(token, rest.substring(0, colon), scopes);
    }

    public TokenGrant asRevoked() {
        return new TokenGrant(token, teamId, userId, botId, scopes, true);
    }

    public boolean isUserToken() {
        return botId == null;
    }

    /** Leaves the token out: grants end up in logs and assertion messages, tokens must not. */
    @Override
    public String toString() {
        return "TokenGrant[teamId=" + teamId + ", userId=" + userId + ", botId=" + botId
                + ", scopes=" + new TreeSet<>(scopes) + ", revoked=" + revoked + "]";
    }
}
