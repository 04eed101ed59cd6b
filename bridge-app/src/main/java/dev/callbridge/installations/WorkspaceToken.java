package dev.callbridge.installations;

import dev.callbridge.slack.SlackToken;
import java.time.Instant;

/**
 * A workspace's bot token as the dispatcher uses it, with what a rotation needs; printing it shows no
 * token.
 *
 * @param enterpriseId the installation's organisation, to pass back to {@link KafkaInstallationService#tokenRotated}
 * @param teamId the installation's workspace, {@code null} for an organisation-wide installation
 * @param expiresAt when {@code accessToken} expires; {@code null} when token rotation is off
 * @param refreshToken {@code null} when token rotation is off
 * @param version the installation's version, the {@code expectedVersion} of a rotation started from this token
 */
public record WorkspaceToken(
        String enterpriseId, String teamId, SlackToken accessToken, Instant expiresAt, SlackToken refreshToken,
        long version) {}
