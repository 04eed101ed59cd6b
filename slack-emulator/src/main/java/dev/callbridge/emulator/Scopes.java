package dev.callbridge.emulator;

import java.util.Set;

/** The OAuth scopes the emulated methods check. */
public final class Scopes {

    public static final String CALLS_WRITE = "calls:write";
    public static final String CALLS_READ = "calls:read";
    public static final String CHAT_WRITE = "chat:write";
    /** Reading a public channel's messages; the emulator's channels are all public. */
    public static final String CHANNELS_HISTORY = "channels:history";
    /** Reading a private channel's messages: grantable, as apps ask for it, though no emulated channel is private. */
    public static final String GROUPS_HISTORY = "groups:history";

    /** Every scope an emulated method needs: a token holding these may call all of them. */
    public static final Set<String> ALL = Set.of(CALLS_WRITE, CALLS_READ, CHAT_WRITE, CHANNELS_HISTORY, GROUPS_HISTORY);

    private Scopes() {}
}
