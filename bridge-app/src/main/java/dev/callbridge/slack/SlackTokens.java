package dev.callbridge.slack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The bridge's Slack tokens, one per workspace, plus an optional default token for operations that
 * name no workspace and for the default workspace ({@code slack.default.team.id}); any other
 * workspace without a token of its own gets none. Loaded from environment variables
 * ({@code SLACK_TOKEN} for the default, {@code SLACK_TOKEN_<TEAM_ID>} per workspace) and from a
 * directory of mounted secret files (one file per workspace, named by its team id, {@code default}
 * for the default), the way Kubernetes mounts a Secret.
 */
public final class SlackTokens implements TokenSource {

    public static final String DEFAULT_VARIABLE = "SLACK_TOKEN";
    public static final String WORKSPACE_VARIABLE_PREFIX = "SLACK_TOKEN_";
    public static final String DEFAULT_FILE = "default";

    private final SlackToken defaultToken;
    private final String defaultTeamId;
    private final Map<String, SlackToken> byWorkspace;

    /** Tokens whose default serves only operations that name no workspace, until {@link #withDefaultTeamId}. */
    public SlackTokens(SlackToken defaultToken, Map<String, SlackToken> byWorkspace) {
        this(defaultToken, null, byWorkspace);
    }

    private SlackTokens(SlackToken defaultToken, String defaultTeamId, Map<String, SlackToken> byWorkspace) {
        this.defaultToken = defaultToken;
        this.defaultTeamId = defaultTeamId == null ? null : defaultTeamId.toUpperCase(Locale.ROOT);
        this.byWorkspace = Map.copyOf(byWorkspace);
    }

    /** Reads tokens from a snapshot of the environment; the config layer passes it in. */
    public static SlackTokens fromEnvironment(Map<String, String> environment) {
        SlackToken fallback = null;
        Map<String, SlackToken> tokens = new HashMap<>();
        for (Map.Entry<String, String> variable : environment.entrySet()) {
            String name = variable.getKey();
            if (variable.getValue() == null || variable.getValue().isBlank()) {
                continue;
            }
            if (name.equals(DEFAULT_VARIABLE)) {
                fallback = new SlackToken(variable.getValue());
            } else if (name.startsWith(WORKSPACE_VARIABLE_PREFIX)) {
                String team = name.substring(WORKSPACE_VARIABLE_PREFIX.length()).toUpperCase(Locale.ROOT);
                if (!team.isEmpty()) {
                    tokens.put(team, new SlackToken(variable.getValue()));
                }
            }
        }
        return new SlackTokens(fallback, tokens);
    }

    /** Reads one token per regular file in {@code directory}; hidden files (Kubernetes' {@code ..data}) are skipped. */
    public static SlackTokens fromDirectory(Path directory) {
        SlackToken fallback = null;
        Map<String, SlackToken> tokens = new HashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(file)) {
                    continue;
                }
                SlackToken token = new SlackToken(Files.readString(file, StandardCharsets.UTF_8));
                if (name.equals(DEFAULT_FILE)) {
                    fallback = token;
                } else {
                    tokens.put(name.toUpperCase(Locale.ROOT), token);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Slack tokens from " + directory, e);
        }
        return new SlackTokens(fallback, tokens);
    }

    /** These tokens, with {@code other}'s added where this has none for a workspace. */
    public SlackTokens orElse(SlackTokens other) {
        Map<String, SlackToken> merged = new HashMap<>(other.byWorkspace);
        merged.putAll(byWorkspace);
        return new SlackTokens(defaultToken != null ? defaultToken : other.defaultToken,
                defaultTeamId != null ? defaultTeamId : other.defaultTeamId, merged);
    }

    /** These tokens, with the default token also serving {@code teamId} (none for {@code null}). */
    public SlackTokens withDefaultTeamId(String teamId) {
        return new SlackTokens(defaultToken, teamId, byWorkspace);
    }

    /**
     * The workspace's own token; the default token for no workspace ({@code null}) and for the
     * default workspace; for any other workspace none.
     */
    @Override
    public Optional<SlackToken> forWorkspace(String teamId) {
        if (teamId == null) {
            return Optional.ofNullable(defaultToken);
        }
        String team = teamId.toUpperCase(Locale.ROOT);
        SlackToken own = byWorkspace.get(team);
        if (own != null) {
            return Optional.of(own);
        }
        // Another workspace's token would post this call into the wrong Slack, or fail there in ways that hide why.
        return team.equals(defaultTeamId) ? Optional.ofNullable(defaultToken) : Optional.empty();
    }

    public boolean isEmpty() {
        return defaultToken == null && byWorkspace.isEmpty();
    }

    /** The workspaces with their own token, for start-up logs; never the tokens. */
    public Set<String> workspaces() {
        return Collections.unmodifiableSet(new TreeSet<>(byWorkspace.keySet()));
    }

    @Override
    public String toString() {
        return "SlackTokens[workspaces=" + workspaces() + ", default=" + (defaultToken != null)
                + ", defaultWorkspace=" + defaultTeamId + "]";
    }
}
