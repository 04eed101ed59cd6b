package dev.callbridge.slackapp;

import com.slack.api.Slack;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.request.oauth.OAuthV2AccessRequest;
import com.slack.api.methods.response.oauth.OAuthV2AccessResponse;
import dev.callbridge.installations.Installation;
import dev.callbridge.installations.KafkaInstallationService;
import dev.callbridge.installations.WorkspaceToken;
import dev.callbridge.slack.SlackErrorCodes;
import dev.callbridge.slack.SlackToken;
import dev.callbridge.slack.TokenSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's tokens when the bridge is a Slack app: a token configured for the workspace wins;
 * otherwise its installation's bot token, rotated with {@code oauth.v2.access} before it expires, so
 * no request goes out with an expired token. Rotations of one workspace take turns in this instance;
 * when another instance rotated first (Slack then refuses the used refresh token), its token is read
 * back from the installations topic.
 */
public final class InstalledTokens implements TokenSource {

    private static final Logger LOG = LoggerFactory.getLogger(InstalledTokens.class);
    /** How long another instance's rotation may take to be read here. */
    private static final Duration OTHERS_ROTATION = Duration.ofSeconds(5);

    private final TokenSource configured;
    private final KafkaInstallationService installations;
    private final Slack slack;
    private final SlackAppConfig app;
    private final Duration inUse;
    private final Clock clock;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Object> turns = new ConcurrentHashMap<>();
    /** Workspaces whose installation this instance saw removed (and not installed again) since it started. */
    private final Set<String> removed = ConcurrentHashMap.newKeySet();

    /**
     * @param requestTimeout the longest a Slack request takes: a token that expires sooner is rotated
     *     before it is used
     */
    public InstalledTokens(TokenSource configured, KafkaInstallationService installations, Slack slack,
            SlackAppConfig app, Duration requestTimeout, Clock clock, MeterRegistry registry) {
        this.configured = configured;
        this.installations = installations;
        this.slack = slack;
        this.app = app;
        this.inUse = requestTimeout;
        this.clock = clock;
        this.registry = registry;
        installations.onChange(this::changed);
    }

    private void changed(String key) {
        String teamId = key.substring(key.indexOf('/') + 1);
        if (installations.botToken(null, teamId).isPresent()) {
            removed.remove(teamId);
        } else {
            removed.add(teamId);
        }
    }

    @Override
    public String missing(String teamId) {
        return teamId != null && removed.contains(teamId) ? SlackErrorCodes.APP_UNINSTALLED : configured.missing(teamId);
    }

    @Override
    public Optional<SlackToken> forWorkspace(String teamId) {
        Optional<SlackToken> own = configured.forWorkspace(teamId);
        if (own.isPresent() || teamId == null) {
            return own;
        }
        Optional<WorkspaceToken> installed = installations.botToken(null, teamId);
        if (installed.isEmpty() || usable(installed.get(), inUse)) {
            return installed.map(WorkspaceToken::accessToken);
        }
        return rotate(installed.get()).map(WorkspaceToken::accessToken);
    }

    /** Rotates every installed token that expires within {@code slack.app.token.refresh.before}; run every minute. */
    public void rotateDue() {
        for (Installation installation : installations.installations()) {
            Instant expiresAt = installation.botTokenExpiresAt();
            if (expiresAt != null && !expiresAt.isAfter(clock.instant().plus(app.refreshBefore()))) {
                installations.botToken(installation.enterpriseId(), installation.teamId()).ifPresent(this::rotate);
            }
        }
    }

    private boolean usable(WorkspaceToken token, Duration margin) {
        return token.expiresAt() == null || token.expiresAt().isAfter(clock.instant().plus(margin));
    }

    private Optional<WorkspaceToken> rotate(WorkspaceToken seen) {
        synchronized (turns.computeIfAbsent(seen.enterpriseId() + "/" + seen.teamId(), key -> new Object())) {
            Optional<WorkspaceToken> current = installations.botToken(seen.enterpriseId(), seen.teamId());
            if (current.isEmpty()) {
                return current;
            }
            WorkspaceToken token = current.get();
            if (token.version() != seen.version() && usable(token, app.refreshBefore())) {
                return current;
            }
            if (token.refreshToken() == null) {
                LOG.warn("The token of workspace {} expires at {} and has no refresh token; install the app again",
                        token.teamId(), token.expiresAt());
                return usable(token, Duration.ZERO) ? current : Optional.empty();
            }
            return refresh(token);
        }
    }

    private Optional<WorkspaceToken> refresh(WorkspaceToken token) {
        OAuthV2AccessResponse answer;
        try {
            answer = slack.methods().oauthV2Access(OAuthV2AccessRequest.builder()
                    .clientId(app.clientId())
                    .clientSecret(app.clientSecret())
                    .grantType("refresh_token")
                    .refreshToken(token.refreshToken().reveal())
                    .build());
        } catch (IOException | SlackApiException e) {
            counted("failed");
            LOG.warn("Rotating the token of workspace {} failed: {}", token.teamId(), e.getClass().getSimpleName());
            return usable(token, Duration.ZERO) ? Optional.of(token) : Optional.empty();
        }
        if (!answer.isOk()) {
            if ("invalid_refresh_token".equals(answer.getError())) {
                // Refresh tokens are used up once: another instance rotated this one a moment ago.
                counted("rotated_elsewhere");
                return awaitOthersRotation(token);
            }
            counted("failed");
            LOG.warn("Rotating the token of workspace {} was refused: {}", token.teamId(), answer.getError());
            return usable(token, Duration.ZERO) ? Optional.of(token) : Optional.empty();
        }
        Instant expiresAt = answer.getExpiresIn() == null ? null : clock.instant().plusSeconds(answer.getExpiresIn());
        boolean stored = installations.tokenRotated(token.enterpriseId(), token.teamId(), answer.getAccessToken(),
                answer.getRefreshToken(), expiresAt, token.version());
        counted(stored ? "rotated" : "rotated_elsewhere");
        LOG.info("Rotated the token of workspace {}; the new one expires at {}", token.teamId(), expiresAt);
        return installations.botToken(token.enterpriseId(), token.teamId());
    }

    private Optional<WorkspaceToken> awaitOthersRotation(WorkspaceToken token) {
        Instant until = clock.instant().plus(OTHERS_ROTATION);
        while (clock.instant().isBefore(until)) {
            Optional<WorkspaceToken> current = installations.botToken(token.enterpriseId(), token.teamId());
            if (current.isEmpty() || current.get().version() != token.version()) {
                return current;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.warn("The refresh token of workspace {} was used up, and no rotated token arrived", token.teamId());
        return usable(token, Duration.ZERO) ? Optional.of(token) : Optional.empty();
    }

    private void counted(String outcome) {
        Counter.builder("bridge.slack.token.rotations").description("access tokens rotated before they expire, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }
}
