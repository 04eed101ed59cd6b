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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's tokens when the bridge is a Slack app: a token configured for the workspace wins;
 * otherwise its installation's bot token, rotated with {@code oauth.v2.access} before it expires, so
 * no request goes out with an expired token. A rotation runs on the rotation thread, one at a time per
 * workspace; a dispatcher worker waits for it only briefly, and meanwhile its operation is retried
 * ({@code token_rotating}) instead of failing. A rotated token that cannot be stored yet is kept and
 * used here, and stored again on the next round, because Slack has already used up the old refresh
 * token. When another instance rotated first (Slack then refuses the used refresh token), its token is
 * read back from the installations topic.
 */
public final class InstalledTokens implements TokenSource {

    private static final Logger LOG = LoggerFactory.getLogger(InstalledTokens.class);
    /** How long a dispatcher worker waits for a rotation before its operation is retried later. */
    private static final Duration WORKER_WAIT = Duration.ofSeconds(2);
    /** How long another instance's rotation may take to be read here. */
    private static final Duration OTHERS_ROTATION = Duration.ofSeconds(5);

    private final TokenSource configured;
    private final KafkaInstallationService installations;
    private final Slack slack;
    private final SlackAppConfig app;
    private final Duration inUse;
    private final ExecutorService rotations;
    private final Clock clock;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, CompletableFuture<Optional<WorkspaceToken>>> rotating = new ConcurrentHashMap<>();
    /** Rotated tokens Slack issued that are not stored yet, by workspace: the only copy of them. */
    private final ConcurrentMap<String, WorkspaceToken> unstored = new ConcurrentHashMap<>();

    /**
     * @param requestTimeout the longest a Slack request takes: a token that expires sooner is rotated
     *     before it is used
     * @param rotations the thread rotations run on
     */
    public InstalledTokens(TokenSource configured, KafkaInstallationService installations, Slack slack,
            SlackAppConfig app, Duration requestTimeout, ExecutorService rotations, Clock clock, MeterRegistry registry) {
        this.configured = configured;
        this.installations = installations;
        this.slack = slack;
        this.app = app;
        this.inUse = requestTimeout;
        this.rotations = rotations;
        this.clock = clock;
        this.registry = registry;
        installations.onChange(this::changed);
    }

    private void changed(String key) {
        String teamId = key.substring(key.indexOf('/') + 1);
        if (installations.botToken(null, teamId).isEmpty()) {
            unstored.remove(teamId);
        }
    }

    @Override
    public Optional<SlackToken> forWorkspace(String teamId) {
        Optional<SlackToken> own = configured.forWorkspace(teamId);
        if (own.isPresent() || teamId == null) {
            return own;
        }
        Optional<WorkspaceToken> installed = current(teamId);
        if (installed.isEmpty() || usable(installed.get(), inUse)) {
            return installed.map(WorkspaceToken::accessToken);
        }
        try {
            return rotation(installed.get()).get(WORKER_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .filter(token -> usable(token, inUse)).map(WorkspaceToken::accessToken);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            // Still rotating, or failed: missing() says token_rotating, and the operation is tried again.
            return Optional.empty();
        }
    }

    @Override
    public String missing(String teamId) {
        if (removed(teamId)) {
            return SlackErrorCodes.APP_UNINSTALLED;
        }
        return teamId != null && current(teamId).isPresent() ? SlackErrorCodes.TOKEN_ROTATING : configured.missing(teamId);
    }

    /** {@code app_uninstalled} for a workspace that removed the app, unless a configured token serves it. */
    @Override
    public String refused(String teamId) {
        return removed(teamId) && configured.forWorkspace(teamId).isEmpty() ? SlackErrorCodes.APP_UNINSTALLED : null;
    }

    /** Whether the last word on the workspace is that it removed the app: uninstalled it or revoked its token. */
    private boolean removed(String teamId) {
        return teamId != null && installations.removal(teamId).isPresent() && installations.botToken(null, teamId).isEmpty();
    }

    /** Rotates every installed token that expires within {@code slack.app.token.refresh.before}, and stores unstored ones; run every minute. */
    public void rotateDue() {
        unstored.values().forEach(this::store);
        for (Installation installation : installations.installations()) {
            Instant expiresAt = installation.botTokenExpiresAt();
            if (expiresAt != null && !expiresAt.isAfter(clock.instant().plus(app.refreshBefore()))) {
                current(installation.teamId()).ifPresent(this::rotation);
            }
        }
    }

    /** The newest token of the workspace: one rotated here and not stored yet, else the stored one. */
    private Optional<WorkspaceToken> current(String teamId) {
        Optional<WorkspaceToken> stored = installations.botToken(null, teamId);
        WorkspaceToken kept = unstored.get(teamId);
        // A kept token is newer than the stored one it was rotated from, and older than any stored since.
        return kept != null && stored.isPresent() && stored.get().version() == kept.version() ? Optional.of(kept) : stored;
    }

    private boolean usable(WorkspaceToken token, Duration margin) {
        return token.expiresAt() == null || token.expiresAt().isAfter(clock.instant().plus(margin));
    }

    /** The workspace's rotation under way, or a new one on the rotation thread. */
    private CompletableFuture<Optional<WorkspaceToken>> rotation(WorkspaceToken seen) {
        CompletableFuture<Optional<WorkspaceToken>> started = new CompletableFuture<>();
        CompletableFuture<Optional<WorkspaceToken>> running = rotating.putIfAbsent(seen.teamId(), started);
        if (running != null) {
            return running;
        }
        try {
            rotations.execute(() -> {
                try {
                    started.complete(rotate(seen.teamId()));
                } catch (RuntimeException e) {
                    counted("failed");
                    LOG.warn("Rotating the token of workspace {} failed: {}", seen.teamId(), e.getClass().getSimpleName());
                    started.completeExceptionally(e);
                } finally {
                    rotating.remove(seen.teamId(), started);
                }
            });
        } catch (RuntimeException e) {
            // The rotation thread is stopping with the bridge.
            rotating.remove(seen.teamId(), started);
            started.completeExceptionally(e);
        }
        return started;
    }

    private Optional<WorkspaceToken> rotate(String teamId) {
        Optional<WorkspaceToken> current = current(teamId);
        if (current.isEmpty() || usable(current.get(), app.refreshBefore())) {
            return current;
        }
        WorkspaceToken token = current.get();
        if (token.refreshToken() == null) {
            LOG.warn("The token of workspace {} expires at {} and has no refresh token; install the app again",
                    teamId, token.expiresAt());
            return current;
        }
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
            LOG.warn("Rotating the token of workspace {} failed: {}", teamId, e.getClass().getSimpleName());
            return current;
        }
        if (!answer.isOk()) {
            if ("invalid_refresh_token".equals(answer.getError())) {
                // Refresh tokens are used up once: another instance rotated this one a moment ago.
                counted("rotated_elsewhere");
                return awaitOthersRotation(token);
            }
            counted("failed");
            LOG.warn("Rotating the token of workspace {} was refused: {}", teamId, answer.getError());
            return current;
        }
        Instant expiresAt = answer.getExpiresIn() == null ? null : clock.instant().plusSeconds(answer.getExpiresIn());
        WorkspaceToken rotated = new WorkspaceToken(token.enterpriseId(), teamId, new SlackToken(answer.getAccessToken()),
                expiresAt, answer.getRefreshToken() == null ? null : new SlackToken(answer.getRefreshToken()),
                token.version());
        unstored.put(teamId, rotated);
        counted("rotated");
        LOG.info("Rotated the token of workspace {}; the new one expires at {}", teamId, expiresAt);
        store(rotated);
        return current(teamId);
    }

    /** Stores a rotated token; one that cannot be stored now stays in use here and is stored on the next round. */
    private void store(WorkspaceToken rotated) {
        try {
            installations.tokenRotated(rotated.enterpriseId(), rotated.teamId(), rotated.accessToken().reveal(),
                    rotated.refreshToken() == null ? null : rotated.refreshToken().reveal(), rotated.expiresAt(),
                    rotated.version());
            unstored.remove(rotated.teamId(), rotated);
        } catch (RuntimeException e) {
            LOG.warn("Storing the rotated token of workspace {} failed ({}); it is used here and stored again later",
                    rotated.teamId(), e.getClass().getSimpleName());
        }
    }

    private Optional<WorkspaceToken> awaitOthersRotation(WorkspaceToken token) {
        long until = System.nanoTime() + OTHERS_ROTATION.toNanos();
        while (System.nanoTime() < until) {
            Optional<WorkspaceToken> stored = installations.botToken(token.enterpriseId(), token.teamId());
            if (stored.isEmpty() || stored.get().version() != token.version()) {
                return stored;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.warn("The refresh token of workspace {} was used up, and no rotated token arrived", token.teamId());
        return Optional.of(token);
    }

    private void counted(String outcome) {
        Counter.builder("bridge.slack.token.rotations").description("access tokens rotated before they expire, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }
}
