package dev.callbridge.slack;

import java.util.Optional;

/** Where the dispatcher finds the token for a workspace: configured tokens, installations, or both. */
public interface TokenSource {

    /** The token to send a request for {@code teamId} with ({@code null}: the operation names no workspace). */
    Optional<SlackToken> forWorkspace(String teamId);

    /** Why there is no token for {@code teamId}: the error its operations fail with. */
    default String missing(String teamId) {
        return SlackErrorCodes.NO_TOKEN;
    }

    /**
     * The error every operation of {@code teamId} fails with now, known without a request or a wait
     * for rate budget (the Slack app was removed from there); {@code null} if none is known.
     */
    default String refused(String teamId) {
        return null;
    }
}
