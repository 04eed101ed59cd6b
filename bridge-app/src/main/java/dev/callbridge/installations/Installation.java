package dev.callbridge.installations;

import java.time.Instant;
import java.util.List;

/**
 * An installation without its tokens, for the bridge's view of its workspaces and for operators.
 *
 * @param tokenKeyId the token key its tokens are encrypted with: once no installation names an old
 *     key, that key can leave the secret
 * @param version the installation's offset on the topic, which {@link KafkaInstallationService#tokenRotated} compares
 */
public record Installation(
        String key,
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
        Instant botTokenExpiresAt,
        Instant updatedAt,
        String tokenKeyId,
        long version) {}
