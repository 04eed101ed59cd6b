package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The terminal summary: the figures it gathers from the emulator and the counters, and how it prints them. */
class LiveSummaryTest {

    private static final DemoTraffic.Counts SENT = new DemoTraffic.Counts(120, 100, 1_204, 61, 58, 12);

    @Test
    void printsSlackRequestsAndTrafficInThreeLines() {
        LiveSummary.Figures figures = new LiveSummary.Figures(20, 100, 0, List.of(
                new LiveSummary.MethodLoad("calls.add", 120, 0),
                new LiveSummary.MethodLoad("calls.participants.add", 310, 4),
                new LiveSummary.MethodLoad("calls.end", 100, 1)), 12, SENT);

        assertThat(LiveSummary.format(figures)).isEqualTo("""
                Slack:  20 live, 100 ended, 0 duplicate calls.add, 5 answered 429
                        calls.add 120, calls.participants.add 310 (4 x 429), calls.end 100 (1 x 429)
                Kafka:  1,204 events sent (61 duplicated, 58 reordered, 12 malformed), 12 dead letters""");
    }

    @Test
    void saysSoBeforeSlackIsAskedAnything() {
        LiveSummary.Figures figures = new LiveSummary.Figures(0, 0, 0, List.of(), 0,
                new DemoTraffic.Counts(0, 0, 0, 0, 0, 0));

        assertThat(LiveSummary.format(figures).lines().toList().get(1)).isEqualTo("        no requests yet");
    }

    @Test
    void gathersCallsAndRequestsFromTheEmulator() throws Exception {
        try (EmulatedSlack slack = new EmulatedSlack()) {
            slack.addCall(call -> call.externalUniqueId("pbx-1").joinUrl("https://meet.example/1"));
            String second = slack.addCall(call -> call.externalUniqueId("pbx-2").joinUrl("https://meet.example/2"));
            slack.addCall(call -> call.externalUniqueId("pbx-2").joinUrl("https://meet.example/2"));
            slack.endCall(second, 30);

            LiveSummary.Figures figures = new LiveSummary(slack.client(), () -> SENT, () -> 7).gather();

            assertThat(figures).isEqualTo(new LiveSummary.Figures(2, 1, 1, List.of(
                    new LiveSummary.MethodLoad("calls.add", 3, 0),
                    new LiveSummary.MethodLoad("calls.end", 1, 0)), 7, SENT));
        }
    }
}
