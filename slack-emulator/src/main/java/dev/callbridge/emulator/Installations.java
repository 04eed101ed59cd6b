package dev.callbridge.emulator;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.callbridge.emulator.Installation.IssuedToken;
import dev.callbridge.emulator.Installation.TokenKind;
import dev.callbridge.emulator.Installation.TokenStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installs of the emulator's apps, as Slack's OAuth v2 makes them: the one-time codes the
 * authorize page hands out, the tokens {@code oauth.v2.access} issues for them (with token rotation,
 * a refresh token beside each access token, good for one renewal), and what uninstalling an app,
 * revoking or expiring its tokens does. {@link Tokens} decides whether an access token still works.
 *
 * <p>Installing again issues a new access token holding every scope granted so far; the earlier
 * ones keep working until they expire or are revoked.
 */
final class Installations {

    /** How long an authorization code can be exchanged, as on Slack. */
    static final Duration CODE_LIFETIME = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(Installations.class);
    private static final Comparator<InstallKey> BY_TEAM_THEN_APP =
            Comparator.comparing(InstallKey::teamId).thenComparing(InstallKey::clientId);

    private final Map<String, EmulatedApp> appsByClientId;
    private final Tokens tokens;
    private final EmulatorState state;
    private final EventsApi events;
    private final Clock clock;
    // Never restarts: a token id seen before a reset must never name a later token.
    private final AtomicLong sequence = new AtomicLong();

    // Guarded by this.
    private final Map<String, PendingCode> codes = new HashMap<>();
    private final Map<InstallKey, Install> installs = new TreeMap<>(BY_TEAM_THEN_APP);
    private final Map<String, RefreshToken> refreshTokens = new HashMap<>();

    Installations(List<EmulatedApp> apps, Tokens tokens, EmulatorState state, EventsApi events, Clock clock) {
        Map<String, EmulatedApp> byClientId = new LinkedHashMap<>();
        Set<String> appIds = new TreeSet<>();
        for (EmulatedApp app : apps) {
            if (byClientId.putIfAbsent(app.clientId(), app) != null || !appIds.add(app.appId())) {
                throw new IllegalArgumentException("two apps share the client id or the app id of " + app);
            }
        }
        this.appsByClientId = byClientId;
        this.tokens = tokens;
        this.state = state;
        this.events = events;
        this.clock = clock;
    }

    Optional<EmulatedApp> app(String clientId) {
        return Optional.ofNullable(clientId).map(appsByClientId::get);
    }

    /**
     * A user allowed {@code app} into {@code teamId}: the one-time code the authorize page sends to
     * {@code redirectUri}. A workspace not seen before comes into being, named {@code teamName}.
     *
     * @param teamName {@code null} to keep the workspace's name or give a new one the default
     */
    synchronized String authorize(EmulatedApp app, String teamId, String teamName, Set<String> scopes,
            String redirectUri) {
        Instant now = clock.instant();
        codes.values().removeIf(pending -> pending.expiredAt(now));
        state.nameWorkspace(teamId, teamName);
        String code = sequence.incrementAndGet() + "." + randomText();
        codes.put(code, new PendingCode(app.clientId(), teamId, Set.copyOf(scopes), redirectUri,
                now.plus(CODE_LIFETIME)));
        return code;
    }

    /**
     * {@code oauth.v2.access}: the app, by its client credentials, exchanges a code for a new install's
     * tokens ({@code grant_type} {@code authorization_code}, the default) or a refresh token for new
     * ones ({@code refresh_token}).
     */
    synchronized ApiAnswer access(ApiRequest request) {
        try {
            EmulatedApp app = app(request.optional("client_id").orElse(null))
                    .orElseThrow(() -> new MethodError("invalid_client_id"));
            if (!request.optional("client_secret").map(app.clientSecret()::equals).orElse(false)) {
                throw new MethodError("bad_client_secret");
            }
            Install install = switch (request.optional("grant_type").orElse("authorization_code")) {
                case "authorization_code" -> exchange(app, request);
                case "refresh_token" -> renew(app, request);
                default -> throw new MethodError("invalid_grant_type");
            };
            return ApiAnswer.ok(accessAnswer(install, issue(install)));
        } catch (MethodError e) {
            return ApiAnswer.error(e);
        }
    }

    /** {@code auth.revoke}: the token stops working; the install it was issued for hears {@code tokens_revoked}. */
    synchronized void authRevoke(String token) {
        tokens.revoke(token);
        installs.values().stream()
                .filter(install -> install.tokens.stream().anyMatch(issued -> issued.value().equals(token)))
                .findFirst()
                .ifPresent(this::tokensRevoked);
    }

    /**
     * The app leaves the workspace: every token of the install is revoked, then the app hears
     * {@code tokens_revoked} and {@code app_uninstalled}.
     *
     * @throws NoSuchElementException when the app is not installed there
     */
    synchronized void uninstall(String clientId, String teamId) {
        Install install = installs.remove(new InstallKey(teamId, clientId));
        if (install == null) {
            throw new NoSuchElementException("the app with client id " + clientId + " is not installed in " + teamId);
        }
        install.tokens.forEach(this::revokeIssued);
        LOG.info("App {} uninstalled from workspace {}", install.app.appId(), teamId);
        tokensRevoked(install);
        events.send(install.app, teamId, install.botUserId, event("app_uninstalled", Map.of()));
    }

    /**
     * Every access token of every app installed in {@code teamId} stops working now.
     *
     * @throws NoSuchElementException when no app is installed there
     */
    synchronized void expireTokens(String teamId) {
        List<Install> inTeam = installs.values().stream().filter(install -> install.teamId.equals(teamId)).toList();
        if (inTeam.isEmpty()) {
            throw new NoSuchElementException("no app is installed in " + teamId);
        }
        inTeam.forEach(install -> install.tokens.stream()
                .filter(issued -> issued.kind() == TokenKind.ACCESS)
                .forEach(issued -> tokens.expire(issued.value())));
    }

    /**
     * The access token {@code tokenId} stops working now.
     *
     * @throws NoSuchElementException for an unknown id
     * @throws IllegalArgumentException for a refresh token, which does not expire
     */
    synchronized void expireById(String tokenId) {
        Issued issued = issued(tokenId).issued();
        if (issued.kind() != TokenKind.ACCESS) {
            throw new IllegalArgumentException(
                    tokenId + " is a refresh token, which does not expire; revoke it instead");
        }
        tokens.expire(issued.value());
    }

    /**
     * The token {@code tokenId} is revoked; for a live access token the app hears {@code tokens_revoked}.
     *
     * @throws NoSuchElementException for an unknown id
     */
    synchronized void revokeById(String tokenId) {
        Found found = issued(tokenId);
        boolean live = status(found.issued(), clock.instant()) == TokenStatus.LIVE;
        revokeIssued(found.issued());
        if (live && found.issued().kind() == TokenKind.ACCESS) {
            tokensRevoked(found.install());
        }
    }

    /** Every install, by workspace and then client id. */
    synchronized List<Installation> installations() {
        Instant now = clock.instant();
        return installs.values().stream().map(install -> view(install, now)).toList();
    }

    /** Forgets codes, installs and refresh tokens; the access tokens are {@link Tokens#reset()}'s. */
    synchronized void clear() {
        codes.clear();
        installs.clear();
        refreshTokens.clear();
    }

    private Install exchange(EmulatedApp app, ApiRequest request) {
        String code = request.optional("code").orElseThrow(() -> new MethodError("invalid_code"));
        PendingCode pending = codes.get(code);
        if (pending == null || !pending.clientId().equals(app.clientId()) || pending.expiredAt(clock.instant())) {
            throw new MethodError("invalid_code");
        }
        // RFC 6749 4.1.3: the redirect_uri of the authorize request, to the letter.
        if (!request.optional("redirect_uri").equals(Optional.of(pending.redirectUri()))) {
            throw new MethodError("bad_redirect_uri");
        }
        codes.remove(code);
        Install install = installs.computeIfAbsent(new InstallKey(pending.teamId(), app.clientId()),
                key -> new Install(app, key, clock.instant()));
        install.scopes.addAll(pending.scopes());
        LOG.info("App {} installed in workspace {} with scopes {}", app.appId(), pending.teamId(), install.scopes);
        return install;
    }

    private Install renew(EmulatedApp app, ApiRequest request) {
        String value = request.optional("refresh_token").orElseThrow(() -> new MethodError("invalid_refresh_token"));
        RefreshToken refresh = refreshTokens.get(value);
        if (refresh == null || refresh.status() != TokenStatus.LIVE
                || !refresh.key().clientId().equals(app.clientId())) {
            throw new MethodError("invalid_refresh_token");
        }
        refreshTokens.put(value, new RefreshToken(refresh.key(), TokenStatus.USED));
        return installs.get(refresh.key());
    }

    /** A new access token for {@code install}, and with token rotation a refresh token beside it. */
    private Fresh issue(Install install) {
        Instant now = clock.instant();
        EmulatedApp app = install.app;
        long accessNumber = sequence.incrementAndGet();
        String access = "xoxb-" + accessNumber + "-" + randomText();
        tokens.issue(new TokenGrant(access, install.teamId, install.botUserId, install.botId, install.scopes, false),
                app.rotatesTokens() ? now.plus(app.tokenLifetime()) : null);
        install.tokens.add(new Issued("access-" + accessNumber, TokenKind.ACCESS, access, now));
        if (!app.rotatesTokens()) {
            return new Fresh(access, null);
        }
        long refreshNumber = sequence.incrementAndGet();
        String refresh = "xoxe-1-" + refreshNumber + "-" + randomText();
        refreshTokens.put(refresh, new RefreshToken(install.key, TokenStatus.LIVE));
        install.tokens.add(new Issued("refresh-" + refreshNumber, TokenKind.REFRESH, refresh, now));
        return new Fresh(access, refresh);
    }

    private Map<String, Object> accessAnswer(Install install, Fresh fresh) {
        Map<String, Object> team = new LinkedHashMap<>();
        team.put("id", install.teamId);
        team.put("name", state.workspaceName(install.teamId));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("app_id", install.app.appId());
        fields.put("authed_user", Map.of("id", install.installerUserId));
        fields.put("scope", String.join(",", install.scopes));
        fields.put("token_type", "bot");
        fields.put("access_token", fresh.access());
        fields.put("bot_user_id", install.botUserId);
        if (fresh.refresh() != null) {
            fields.put("refresh_token", fresh.refresh());
            fields.put("expires_in", install.app.tokenLifetime().toSeconds());
        }
        fields.put("team", team);
        // Slack writes this null out; the emulator's JSON leaves out plain Java nulls.
        fields.put("enterprise", NullNode.getInstance());
        fields.put("is_enterprise_install", false);
        return fields;
    }

    private void revokeIssued(Issued issued) {
        if (issued.kind() == TokenKind.ACCESS) {
            tokens.revoke(issued.value());
        } else {
            refreshTokens.computeIfPresent(issued.value(),
                    (value, refresh) -> new RefreshToken(refresh.key(), TokenStatus.REVOKED));
        }
    }

    private void tokensRevoked(Install install) {
        Map<String, Object> revoked = new LinkedHashMap<>();
        revoked.put("oauth", List.of());
        revoked.put("bot", List.of(install.botUserId));
        events.send(install.app, install.teamId, install.botUserId, event("tokens_revoked", Map.of("tokens", revoked)));
    }

    private static Map<String, Object> event(String type, Map<String, Object> fields) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.putAll(fields);
        return event;
    }

    private Found issued(String tokenId) {
        for (Install install : installs.values()) {
            for (Issued issued : install.tokens) {
                if (issued.id().equals(tokenId)) {
                    return new Found(install, issued);
                }
            }
        }
        throw new NoSuchElementException("no installed app holds a token " + tokenId);
    }

    private Installation view(Install install, Instant now) {
        List<IssuedToken> issued = install.tokens.stream()
                .map(token -> new IssuedToken(token.id(), token.kind(), token.issuedAt().getEpochSecond(),
                        token.kind() == TokenKind.ACCESS ? expiresAt(token) : null, status(token, now)))
                .toList();
        return new Installation(install.app.clientId(), install.app.appId(), install.teamId,
                state.workspaceName(install.teamId), install.botUserId, install.botId, install.installerUserId,
                install.scopes, install.installedAt.getEpochSecond(), issued);
    }

    private Long expiresAt(Issued access) {
        Instant expiresAt = access(access).expiresAt();
        return expiresAt == null ? null : expiresAt.getEpochSecond();
    }

    private TokenStatus status(Issued issued, Instant now) {
        if (issued.kind() == TokenKind.REFRESH) {
            return refreshTokens.get(issued.value()).status();
        }
        Tokens.Access access = access(issued);
        if (access.grant().revoked()) {
            return TokenStatus.REVOKED;
        }
        return access.expiredAt(now) ? TokenStatus.EXPIRED : TokenStatus.LIVE;
    }

    private Tokens.Access access(Issued access) {
        return tokens.find(access.value())
                .orElseThrow(() -> new IllegalStateException("the tokens have lost " + access.id()));
    }

    /** Unguessable: the random part of codes and tokens. */
    private static String randomText() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private record InstallKey(String teamId, String clientId) {}

    private record PendingCode(
            String clientId, String teamId, Set<String> scopes, String redirectUri, Instant expiresAt) {

        boolean expiredAt(Instant now) {
            return !now.isBefore(expiresAt);
        }
    }

    private record RefreshToken(InstallKey key, TokenStatus status) {}

    /** A token issued for an install; {@code value} is the token itself, shown nowhere. */
    private record Issued(String id, TokenKind kind, String value, Instant issuedAt) {}

    private record Found(Install install, Issued issued) {}

    /** The tokens one exchange or renewal hands out; {@code refresh} is {@code null} without token rotation. */
    private record Fresh(String access, String refresh) {}

    /** One app in one workspace. */
    private static final class Install {

        final EmulatedApp app;
        final InstallKey key;
        final String teamId;
        final String botUserId;
        final String botId;
        final String installerUserId;
        final Instant installedAt;
        final SortedSet<String> scopes = new TreeSet<>();
        final List<Issued> tokens = new ArrayList<>();

        Install(EmulatedApp app, InstallKey key, Instant installedAt) {
            this.app = app;
            this.key = key;
            this.teamId = key.teamId();
            // A bot user and bot per app and workspace, in Slack's shape, derived so that tests can name them.
            String appPart = app.appId().substring(1);
            this.botUserId = "U" + appPart + teamId;
            this.botId = "B" + appPart + teamId;
            this.installerUserId = "U0ADMIN" + teamId;
            this.installedAt = installedAt;
        }
    }
}
