package dev.callbridge.devkit.local;

import dev.callbridge.provider.emulator.StartCall;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One demo call dialled on the voice-AI platform: who calls which line, the AI agent that answers, and
 * when and why the caller hangs up. The platform itself tells the bridge of it, so nothing more is planned.
 *
 * @param length how long after the start the caller hangs up
 * @param hangUpReason the {@code disconnect_reason} the platform reports for the caller's hang-up
 */
record DialledCall(StartCall start, Duration length, String hangUpReason) {

    /** A number on the platform and the AI agent that answers it. */
    private record Line(String number, String agent) {}

    /** 555-01xx numbers are reserved for fiction, so the demo never dials a real line. */
    private static final List<Line> LINES = List.of(
            new Line("+14155550142", "Ava"), new Line("+14155550177", "Milo"), new Line("+14155550188", "Juno"));
    private static final int CALLERS = 40;
    private static final List<String> HANG_UP_REASONS = List.of("user_hangup", "agent_hangup", "voicemail_reached");

    /** Draws a call whose length follows {@code settings}. */
    static DialledCall plan(Random random, DemoTraffic.Settings settings) {
        Line line = LINES.get(random.nextInt(LINES.size()));
        String caller = String.format(Locale.ROOT, "+120255501%02d", random.nextInt(CALLERS));
        long shortest = settings.shortestCall().toMillis();
        long length = shortest + (long) (random.nextDouble() * (settings.longestCall().toMillis() - shortest));
        return new DialledCall(StartCall.voiceAi(caller, line.number(), line.agent()), Duration.ofMillis(length),
                HANG_UP_REASONS.get(random.nextInt(HANG_UP_REASONS.size())));
    }
}
