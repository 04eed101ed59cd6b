package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.Message;
import dev.callbridge.model.op.ThreadReply;
import dev.callbridge.provider.HttpProviderClient;
import dev.callbridge.provider.ProviderApiConfig;
import dev.callbridge.provider.emulator.ProviderEmulator;
import dev.callbridge.provider.emulator.StartCall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The terminal summary: the figures it gathers from the emulators and the counters, and how it prints them. */
class LiveSummaryTest {

    private static final DemoTraffic.Counts SENT = new DemoTraffic.Counts(120, 100, 1_204, 61, 58, 12);
    private static final LiveSummary.VoiceAi VOICE = new LiveSummary.VoiceAi(40, 6, 3, 31);

    @Test
    void printsSlackRequestsTrafficAndTheVoiceAiCallsInFourLines() {
        LiveSummary.Figures figures = new LiveSummary.Figures(20, 100, 0, List.of(
                new LiveSummary.MethodLoad("calls.add", 120, 0),
                new LiveSummary.MethodLoad("calls.participants.add", 310, 4),
                new LiveSummary.MethodLoad("calls.end", 100, 1)), 12, SENT, VOICE);

        assertThat(LiveSummary.format(figures)).isEqualTo("""
                Slack:  20 live, 100 ended, 0 duplicate calls.add, 5 answered 429
                        calls.add 120, calls.participants.add 310 (4 x 429), calls.end 100 (1 x 429)
                Kafka:  1,204 events sent (61 duplicated, 58 reordered, 12 malformed), 12 dead letters
                Voice:  40 calls on the voice-AI platform (6 live), 3 ended from Slack, 31 analyses posted in call threads""");
    }

    @Test
    void saysSoBeforeSlackIsAskedAnything() {
        LiveSummary.Figures figures = new LiveSummary.Figures(0, 0, 0, List.of(), 0,
                new DemoTraffic.Counts(0, 0, 0, 0, 0, 0), new LiveSummary.VoiceAi(0, 0, 0, 0));

        assertThat(LiveSummary.format(figures).lines().toList().get(1)).isEqualTo("        no requests yet");
    }

    @Test
    void gathersCallsRequestsEndedCallsAndAnalysesFromTheEmulators() throws Exception {
        try (EmulatedSlack slack = new EmulatedSlack();
                ProviderEmulator platform = ProviderEmulator.builder().apiKey("key").webhookSecret("secret").build().start()) {
            slack.addCall(call -> call.externalUniqueId("pbx-1").joinUrl("https://meet.example/1"));
            String second = slack.addCall(call -> call.externalUniqueId("pbx-2").joinUrl("https://meet.example/2"));
            slack.addCall(call -> call.externalUniqueId("pbx-2").joinUrl("https://meet.example/2"));
            slack.endCall(second, 30);
            String block = slack.post(message -> message.channel("C0CALLS").text("a call block"));
            slack.post(message -> message.channel("C0CALLS").threadTs(block).text("Call analysis").metadata(reply(ThreadReply.ANALYSIS)));
            slack.post(message -> message.channel("C0CALLS").threadTs(block).text("End this call")
                    .metadata(reply(ThreadReply.END_CALL_CONTROL)));
            slack.post(message -> message.channel("C0CALLS").threadTs(block).text("a person's reply"));
            platform.client().start(StartCall.voiceAi("+12025550100", "+14155550142", "Ava"));
            String hungUp = platform.client().start(StartCall.voiceAi("+12025550101", "+14155550142", "Ava")).callId();
            String endedFromSlack = platform.client().start(StartCall.voiceAi("+12025550102", "+14155550142", "Ava")).callId();
            platform.client().hangUp(hungUp, "user_hangup");
            HttpProviderClient endCallApi = new HttpProviderClient(new ProviderApiConfig(platform.baseUrl(), "key", Duration.ofSeconds(5)));
            endCallApi.end(endedFromSlack, "Ended from Slack by <@U0DEMO>");
            endCallApi.end(endedFromSlack, "Ended from Slack by <@U0DEMO>");

            LiveSummary.Figures figures = new LiveSummary(slack.client(), platform.client(), () -> SENT, () -> 7).gather();

            assertThat(figures).isEqualTo(new LiveSummary.Figures(2, 1, 1, List.of(
                    new LiveSummary.MethodLoad("calls.add", 3, 0),
                    new LiveSummary.MethodLoad("chat.postMessage", 4, 0),
                    new LiveSummary.MethodLoad("calls.end", 1, 0)), 7, SENT,
                    new LiveSummary.VoiceAi(3, 1, 1, 1)));
        }
    }

    /** The metadata the bridge gives its replies in a call block's thread. */
    private static Message.Metadata reply(ThreadReply kind) {
        return Message.Metadata.builder().eventType(ThreadReply.METADATA_EVENT_TYPE)
                .eventPayload(Map.of("external_unique_id", "pbx-1", "reply", kind.wireName(), "op_id", "op-1")).build();
    }
}
