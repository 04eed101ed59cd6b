package dev.callbridge.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.MessageThread;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.ThreadReply;
import dev.callbridge.testkit.DemoWorkspace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge's replies in a call block's thread as the SDK sends them and Slack (the emulator) keeps them. */
class ThreadMessagesTest {

    private SlackEmulator slack;
    private SdkSlackClient client;
    private String blockTs;

    @BeforeEach
    void postACallBlock() {
        slack = DemoWorkspace.emulator().rateLimits(RateLimits.unlimited()).build().start();
        client = new SdkSlackClient(slack.baseUrl(), new SlackTokens(new SlackToken(DemoWorkspace.TOKEN), Map.of()),
                Duration.ofSeconds(5), 2);
        String slackCallId = ((SlackAnswer.Ok) client.send(new CallOp.AddCall("c1:1:calls.add", "c1", null,
                "https://pbx.example/j/c1", null, null, "Title", DemoWorkspace.CREATOR, 1_772_442_000L,
                List.of()))).slackCallId();
        blockTs = ((SlackAnswer.Ok) client.send(new CallOp.PostCallBlock("c1:2:chat.postMessage", "c1", null,
                slackCallId, DemoWorkspace.CHANNEL, "Title"))).messageTs();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        slack.close();
    }

    private CallOp.PostAnalysis analysis(String call, String opId) {
        return new CallOp.PostAnalysis(opId, call, null, DemoWorkspace.CHANNEL, blockTs,
                "Caller wants <!channel> & *everyone* to know.", "negative",
                "https://voice.example.com/rec/1.mp3?sig=a&exp=2", "https://voice.example.com/tx/1", false);
    }

    private MessageThread thread() {
        return slack.client().thread(DemoWorkspace.CHANNEL, blockTs).orElseThrow();
    }

    @Test
    void theAnalysisIsAReplyInTheBlocksThreadWithItsWordsEscapedAndItsMetadata() {
        SlackAnswer answer = client.send(analysis("c1", "c1:3:chat.postMessage"));

        assertThat(answer).isInstanceOfSatisfying(SlackAnswer.Ok.class, ok -> {
            assertThat(ok.channel()).isEqualTo(DemoWorkspace.CHANNEL);
            assertThat(ok.messageTs()).isNotEqualTo(blockTs);
        });
        PostedMessage reply = thread().replies().get(0);
        assertThat(reply.text()).isEqualTo(
                "Call analysis (negative): Caller wants &lt;!channel&gt; &amp; *everyone* to know.");
        JsonNode blocks = reply.blocks();
        assertThat(blocks.at("/0/type").asText()).isEqualTo("header");
        assertThat(blocks.at("/1/text/text").asText()).isEqualTo("Caller wants &lt;!channel&gt; &amp; *everyone* to know.");
        assertThat(blocks.at("/2/text/text").asText()).isEqualTo("*Sentiment:* Negative");
        assertThat(blocks.at("/3/text/text").asText()).isEqualTo(
                "<https://voice.example.com/rec/1.mp3?sig=a&amp;exp=2|Recording>  ·  <https://voice.example.com/tx/1|Transcript>");
        assertThat(reply.metadata().path("event_type").asText()).isEqualTo(ThreadReply.METADATA_EVENT_TYPE);
        assertThat(reply.metadata().at("/event_payload/external_unique_id").asText()).isEqualTo("c1");
        assertThat(reply.metadata().at("/event_payload/reply").asText()).isEqualTo("analysis");
        assertThat(reply.metadata().at("/event_payload/op_id").asText()).isEqualTo("c1:3:chat.postMessage");
    }

    @Test
    void theEndCallControlIsOneDangerButtonCarryingTheCallWithAConfirmDialogUntilItShowsTheEnd() {
        String controlTs = ((SlackAnswer.Ok) client.send(new CallOp.PostEndCallControl("c1:3:chat.postMessage", "c1",
                null, DemoWorkspace.CHANNEL, blockTs, false))).messageTs();

        PostedMessage control = thread().replies().get(0);
        assertThat(control.text()).isEqualTo("End this call from Slack");
        JsonNode elements = control.blocks().at("/1/elements");
        assertThat(control.blocks().at("/1/type").asText()).isEqualTo("actions");
        assertThat(elements).hasSize(1);
        assertThat(elements.at("/0/action_id").asText()).isEqualTo("bridge_end_call");
        assertThat(elements.at("/0/style").asText()).isEqualTo("danger");
        assertThat(elements.at("/0/value").asText()).isEqualTo("c1");
        assertThat(elements.at("/0/confirm/title/text").asText()).isNotBlank();
        assertThat(control.metadata().at("/event_payload/reply").asText()).isEqualTo("end_call_control");

        SlackAnswer updated = client.send(new CallOp.ShowCallEnded("c1:5:chat.update", "c1", null,
                DemoWorkspace.CHANNEL, controlTs, "Ended from Slack by <@U0ALICE> <!here>"));

        assertThat(updated).isEqualTo(new SlackAnswer.Ok(null, controlTs, DemoWorkspace.CHANNEL));
        PostedMessage ended = thread().replies().get(0);
        assertThat(ended.text()).isEqualTo("Call ended: Ended from Slack by <@U0ALICE> &lt;!here&gt;");
        assertThat(ended.blocks()).hasSize(1);
        assertThat(ended.blocks().at("/0/type").asText()).isEqualTo("section");
        assertThat(ended.edits()).isEqualTo(1);
        assertThat(client.send(new CallOp.ShowCallEnded("c1:5:chat.update", "c1", null, DemoWorkspace.CHANNEL,
                controlTs, null))).isInstanceOf(SlackAnswer.Ok.class);
        assertThat(thread().replies().get(0).text()).isEqualTo("Call ended");
    }

    @Test
    void aReplyIsFoundInTheThreadByItsCallAndKindAcrossPages() {
        for (int i = 0; i < 210; i++) {
            client.send(new CallOp.PostEndCallControl("other:" + i, "other-call", null, DemoWorkspace.CHANNEL, blockTs,
                    false));
        }
        CallOp.PostAnalysis posted = analysis("c1", "c1:3:chat.postMessage");
        CallOp.FindReply find = CallOp.FindReply.before(posted);

        assertThat(client.send(find)).isEqualTo(new SlackAnswer.ThreadRead(null));
        assertThat(client.send(CallOp.FindReply.before(new CallOp.PostEndCallControl("c1:4:chat.postMessage", "c1", null,
                DemoWorkspace.CHANNEL, blockTs, true)))).isEqualTo(new SlackAnswer.ThreadRead(null));
        String ts = ((SlackAnswer.Ok) client.send(posted)).messageTs();

        assertThat(client.send(find)).isEqualTo(new SlackAnswer.ThreadRead(ts));
        // The parent and 210 replies, then 211: two pages of up to 200 each time.
        assertThat(slack.client().stats().of(ApiMethod.CONVERSATIONS_REPLIES).requests()).isEqualTo(6);
    }

    @Test
    void aThreadThatIsGoneIsSlacksError() {
        assertThat(client.send(new CallOp.FindReply("c1:3:chat.postMessage", "c1", null, DemoWorkspace.CHANNEL,
                "1.000001", ThreadReply.ANALYSIS))).isEqualTo(new SlackAnswer.Error("thread_not_found"));
        assertThat(client.send(new CallOp.PostAnalysis("c1:3:chat.postMessage", "c1", null, DemoWorkspace.CHANNEL,
                "1.000001", "x", null, null, null, false))).isEqualTo(new SlackAnswer.Error("thread_not_found"));
    }
}
