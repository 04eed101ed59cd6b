package dev.callbridge.emulator;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which users and channels exist in the emulated workspaces. By default a user exists when its id
 * has Slack's shape ({@code U} or {@code W}, then capitals and digits) and does not start with
 * {@value #UNKNOWN_USER_PREFIX}; every channel exists except those starting with
 * {@value #UNKNOWN_CHANNEL_PREFIX}, and the app is a member of all of them except those starting with
 * {@value #CHANNEL_WITHOUT_APP_PREFIX}. The sets name further ids to treat the same way.
 */
public record Directory(Set<String> unknownUsers, Set<String> unknownChannels, Set<String> channelsWithoutApp) {

    public static final String UNKNOWN_USER_PREFIX = "UNKNOWN";
    public static final String UNKNOWN_CHANNEL_PREFIX = "CUNKNOWN";
    public static final String CHANNEL_WITHOUT_APP_PREFIX = "CNOAPP";

    private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]+");

    public Directory {
        unknownUsers = Set.copyOf(unknownUsers);
        unknownChannels = Set.copyOf(unknownChannels);
        channelsWithoutApp = Set.copyOf(channelsWithoutApp);
    }

    public static Directory defaults() {
        return new Directory(Set.of(), Set.of(), Set.of());
    }

    public Directory withUnknownUsers(String... userIds) {
        return new Directory(union(unknownUsers, userIds), unknownChannels, channelsWithoutApp);
    }

    public Directory withUnknownChannels(String... channels) {
        return new Directory(unknownUsers, union(unknownChannels, channels), channelsWithoutApp);
    }

    public Directory withChannelsWithoutApp(String... channels) {
        return new Directory(unknownUsers, unknownChannels, union(channelsWithoutApp, channels));
    }

    public boolean knowsUser(String slackId) {
        return USER_ID.matcher(slackId).matches()
                && !slackId.startsWith(UNKNOWN_USER_PREFIX)
                && !unknownUsers.contains(slackId);
    }

    public boolean knowsChannel(String channel) {
        return !channel.startsWith(UNKNOWN_CHANNEL_PREFIX) && !unknownChannels.contains(channel);
    }

    public boolean appIsMemberOf(String channel) {
        return !channel.startsWith(CHANNEL_WITHOUT_APP_PREFIX) && !channelsWithoutApp.contains(channel);
    }

    private static Set<String> union(Set<String> set, String... more) {
        Set<String> union = new HashSet<>(set);
        union.addAll(Arrays.asList(more));
        return union;
    }
}
