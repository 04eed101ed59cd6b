package dev.callbridge.slackapp;

import dev.callbridge.provider.ProviderApiConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may end calls from Slack, and how: the End call button's settings.
 *
 * @param provider the platform's API, which ends the call
 * @param users the Slack users who may end any call they see
 * @param channels the conversations in which anyone may end calls
 * @param confirmTimeout how long to wait for the platform to show the call ended
 */
public record EndCallConfig(ProviderApiConfig provider, Set<String> users, Set<String> channels,
        Duration confirmTimeout) {

    private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{2,}");
    private static final Pattern CHANNEL_ID = Pattern.compile("[CGD][A-Z0-9]{2,}");

    /** @throws IllegalArgumentException naming an id that is not a Slack user or conversation id */
    public EndCallConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(confirmTimeout, "confirmTimeout");
        users = Set.copyOf(users);
        channels = Set.copyOf(channels);
        users.stream().filter(id -> !USER_ID.matcher(id).matches()).findFirst().ifPresent(id -> {
            throw new IllegalArgumentException("'" + id + "' is not a Slack user id (U… or W…)");
        });
        channels.stream().filter(id -> !CHANNEL_ID.matcher(id).matches()).findFirst().ifPresent(id -> {
            throw new IllegalArgumentException("'" + id + "' is not a Slack conversation id (C…, G… or D…)");
        });
    }

    /** Whether {@code userId} may end a call shown in {@code channelId}: listed, or in a listed channel; with both lists empty, nobody. */
    public boolean allows(String userId, String channelId) {
        return (userId != null && users.contains(userId)) || (channelId != null && channels.contains(channelId));
    }
}
