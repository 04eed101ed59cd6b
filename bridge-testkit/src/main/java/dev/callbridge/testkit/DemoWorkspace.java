package dev.callbridge.testkit;

import dev.callbridge.emulator.SlackEmulator;

/**
 * The one Slack workspace that tests, the benchmark and the local demo run against the emulator:
 * its bot token, team, the channel call blocks go to and the user shown as a call's creator.
 */
public final class DemoWorkspace {

    public static final String TOKEN = "xoxb-demo-bridge-token";
    public static final String TEAM = "T0DEMO";
    public static final String CHANNEL = "C0CALLS";
    public static final String CREATOR = "U0BRIDGEBOT";

    private DemoWorkspace() {}

    /** A Slack emulator on a free port serving this workspace with its token; {@code port} and the rest may be changed. */
    public static SlackEmulator.Builder emulator() {
        return SlackEmulator.builder().port(0).token(TOKEN, TEAM);
    }
}
