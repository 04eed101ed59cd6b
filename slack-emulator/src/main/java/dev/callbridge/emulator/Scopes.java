package dev.callbridge.emulator;

import java.util.Set;

/** The OAuth scopes the emulated methods check. */
public final class Scopes {

    public static final String CALLS_WRITE = "calls:write";
    public static final String CALLS_READ = "calls:read";
    public static final String CHAT_WRITE = "chat:write";

    /** Every scope an emulated method needs: a token holding these may call all of them. */
    public static final Set<String> ALL = Set.of(CALLS_WRITE, CALLS_READ, CHAT_WRITE);

    private Scopes() {}
}
