package dev.callbridge.installations;

import dev.callbridge.model.json.JsonSerde;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One workspace's installation of the Slack app as {@code slack.installations} keeps it under
 * {@link #key(String, String)}: who installed it where, with which scopes, and the bot's tokens
 * encrypted by {@link TokenCipher} for that key.
 *
 * @param enterpriseId the Enterprise Grid organisation, {@code null} outside one
 * @param teamId the workspace, {@code null} for an installation across a whole organisation
 * @param botTokenExpiresAt when the access token expires; {@code null} when token rotation is off
 * @param encryptedBotRefreshToken {@code null} when token rotation is off
 * @param updatedAt when this record was written
 */
public record InstallationRecord(
        String enterpriseId,
        String teamId,
        String teamName,
        boolean enterpriseInstall,
        String appId,
        String botId,
        String botUserId,
        List<String> botScopes,
        String installerUserId,
        Instant installedAt,
        String encryptedBotAccessToken,
        String encryptedBotRefreshToken,
        Instant botTokenExpiresAt,
        Instant updatedAt) {

    static final JsonSerde<InstallationRecord> SERDE = new JsonSerde<>(InstallationRecord.class);
    private static final String NONE = "-";

    public InstallationRecord {
        enterpriseId = blankToNull(enterpriseId);
        teamId = blankToNull(teamId);
        if (enterpriseId == null && teamId == null) {
            throw new IllegalArgumentException("an installation names a workspace, an organisation or both");
        }
        Objects.requireNonNull(encryptedBotAccessToken, "encrypted_bot_access_token");
        botScopes = botScopes == null ? List.of() : List.copyOf(botScopes);
    }

    /** The record key of an installation: {@code <enterprise id or ->/<team id or ->}. */
    public static String key(String enterpriseId, String teamId) {
        return orNone(blankToNull(enterpriseId)) + "/" + orNone(blankToNull(teamId));
    }

    /** This installation's record key. */
    public String key() {
        return key(enterpriseId, teamId);
    }

    private static String orNone(String id) {
        return id == null ? NONE : id;
    }

    private static String blankToNull(String id) {
        return id == null || id.isBlank() ? null : id;
    }
}
