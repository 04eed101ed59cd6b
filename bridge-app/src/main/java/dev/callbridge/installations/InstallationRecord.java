package dev.callbridge.installations;

import dev.callbridge.model.json.JsonSerde;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One workspace's installation of the Slack app as {@code slack.installations} keeps it under
 * {@link #key(String, String)}: who installed it where, with which scopes, and the bot's tokens
 * encrypted by {@link TokenCipher} for that key; or, once the app was removed from there, a record
 * of the removal with no token, which compaction keeps (a tombstone would be compacted away, and an
 * instance starting later would no longer know the workspace had removed the app).
 *
 * @param enterpriseId the Enterprise Grid organisation, {@code null} outside one
 * @param teamId the workspace, {@code null} for an installation across a whole organisation
 * @param botTokenExpiresAt when the access token expires; {@code null} when token rotation is off
 * @param encryptedBotRefreshToken {@code null} when token rotation is off
 * @param updatedAt when this record was written
 * @param removedAt when the app was uninstalled from there or its bot token revoked; {@code null} for
 *     an installation
 * @param removedBecause {@code app_uninstalled}, {@code tokens_revoked} or {@code deleted}; {@code null}
 *     for an installation
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
        Instant updatedAt,
        Instant removedAt,
        String removedBecause) {

    static final JsonSerde<InstallationRecord> SERDE = new JsonSerde<>(InstallationRecord.class);
    private static final String NONE = "-";

    public InstallationRecord {
        enterpriseId = blankToNull(enterpriseId);
        teamId = blankToNull(teamId);
        if (enterpriseId == null && teamId == null) {
            throw new IllegalArgumentException("an installation names a workspace, an organisation or both");
        }
        if (removedAt == null) {
            Objects.requireNonNull(encryptedBotAccessToken, "encrypted_bot_access_token");
        } else if (encryptedBotAccessToken != null || encryptedBotRefreshToken != null) {
            throw new IllegalArgumentException("a removal keeps no token");
        }
        botScopes = botScopes == null ? List.of() : List.copyOf(botScopes);
    }

    /** An installation, its tokens encrypted. */
    public InstallationRecord(String enterpriseId, String teamId, String teamName, boolean enterpriseInstall,
            String appId, String botId, String botUserId, List<String> botScopes, String installerUserId,
            Instant installedAt, String encryptedBotAccessToken, String encryptedBotRefreshToken,
            Instant botTokenExpiresAt, Instant updatedAt) {
        this(enterpriseId, teamId, teamName, enterpriseInstall, appId, botId, botUserId, botScopes, installerUserId,
                installedAt, encryptedBotAccessToken, encryptedBotRefreshToken, botTokenExpiresAt, updatedAt, null, null);
    }

    /** The record that the app was removed from the workspace (or organisation), {@code because} what. */
    public static InstallationRecord removal(String enterpriseId, String teamId, Instant at, String because) {
        return new InstallationRecord(enterpriseId, teamId, null, false, null, null, null, List.of(), null, null, null,
                null, null, at, Objects.requireNonNull(at, "at"), Objects.requireNonNull(because, "because"));
    }

    /** Whether this records a removal rather than an installation. */
    public boolean removed() {
        return removedAt != null;
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
