package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.CHAT_ONLY_TOKEN;
import static dev.callbridge.emulator.SlackSdk.OTHER_TEAM_TOKEN;
import static dev.callbridge.emulator.SlackSdk.TEAM;
import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static dev.callbridge.emulator.SlackSdk.USER_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.methods.response.conversations.ConversationsRepliesResponse;
import com.slack.api.model.Message;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Threads: {@code chat.postMessage} with {@code thread_ts} and {@code metadata}, {@code chat.update},
 * {@code conversations.replies} page by page, and what the inspection API shows of them.
 */
class ThreadsTest {

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass(() -> SlackSdk.emulatorBuilder()
            .rateLimits(RateLimits.unlimited())
            .directory(Directory.defaults().withChannelsWithoutApp("C0PRIVATE"))
            .build().start());

    private static final Message.Metadata REPLY_METADATA = Message.Metadata.builder()
            .eventType("callbridge_thread_reply")
            .eventPayload(Map.of("external_unique_id", "call-1", "reply", "analysis"))
            .build();

    private MethodsClient methods;
    private String parentTs;

    @BeforeEach
    void postAParent() throws Exception {
        methods = EMULATOR.slack().methods(TOKEN);
        parentTs = methods.chatPostMessage(r -> r.channel("C0CALLS").text("the call")).getTs();
    }

    private ChatPostMessageResponse reply(String text) throws Exception {
        return methods.chatPostMessage(r -> r.channel("C0CALLS").threadTs(parentTs).text(text));
    }

    @Test
    void aReplyWithMetadataGoesInTheThreadAndTheInspectionApiShowsIt() throws Exception {
        ChatPostMessageResponse reply = methods.chatPostMessage(r -> r.channel("C0CALLS").threadTs(parentTs)
                .text("Call analysis").blocks(section("*Summary* &lt;ok&gt;")).metadata(REPLY_METADATA));

        assertThat(reply.isOk()).isTrue();
        assertThat(reply.getMessage().getThreadTs()).isEqualTo(parentTs);
        MessageThread thread = EMULATOR.emulator().client().thread("C0CALLS", parentTs).orElseThrow();
        assertThat(thread.parent().text()).isEqualTo("the call");
        assertThat(thread.replies()).singleElement().satisfies(posted -> {
            assertThat(posted.ts()).isEqualTo(reply.getTs());
            assertThat(posted.threadTs()).isEqualTo(parentTs);
            assertThat(posted.teamId()).isEqualTo(TEAM);
            assertThat(posted.metadata().path("event_type").asText()).isEqualTo("callbridge_thread_reply");
            assertThat(posted.metadata().at("/event_payload/external_unique_id").asText()).isEqualTo("call-1");
            assertThat(posted.blocks().at("/0/text/text").asText()).isEqualTo("*Summary* &lt;ok&gt;");
        });
        assertThat(EMULATOR.emulator().client().messages()).extracting(PostedMessage::ts)
                .containsExactly(parentTs, reply.getTs());
        assertThat(EMULATOR.emulator().client().thread("C0CALLS", "1.000001")).isEmpty();
    }

    @Test
    void aReplyMustPointAtAMessageOfThatChannelAndWorkspace() throws Exception {
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS").threadTs("1700000000.000001").text("x"))
                .getError()).isEqualTo("thread_not_found");
        assertThat(methods.chatPostMessage(r -> r.channel("C0OTHER").threadTs(parentTs).text("x")).getError())
                .isEqualTo("thread_not_found");
        assertThat(EMULATOR.slack().methods(OTHER_TEAM_TOKEN)
                .chatPostMessage(r -> r.channel("C0CALLS").threadTs(parentTs).text("x")).getError())
                .isEqualTo("thread_not_found");
        assertThat(EMULATOR.emulator().client().messages()).hasSize(1);
    }

    @Test
    void aReplyToAReplyGoesInItsParentsThread() throws Exception {
        String first = reply("first").getTs();

        ChatPostMessageResponse second = methods.chatPostMessage(r -> r.channel("C0CALLS").threadTs(first).text("second"));

        assertThat(second.getMessage().getThreadTs()).isEqualTo(parentTs);
        assertThat(EMULATOR.emulator().client().thread("C0CALLS", parentTs).orElseThrow().replies())
                .extracting(PostedMessage::text).containsExactly("first", "second");
    }

    @Test
    void metadataThatIsNotJsonOrNotSlacksShapeIsRefused() throws Exception {
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS").text("x").metadataAsString("{oops")).getError())
                .isEqualTo("invalid_metadata_format");
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS").text("x")
                .metadataAsString("{\"event_payload\":{}}")).getError()).isEqualTo("invalid_metadata_schema");
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS").text("x")
                .metadataAsString("{\"event_type\":\"t\",\"event_payload\":[1]}")).getError())
                .isEqualTo("invalid_metadata_schema");
    }

    @Test
    void chatUpdateReplacesTextAndBlocksAndTheInspectionApiCountsTheEdit() throws Exception {
        String control = methods.chatPostMessage(r -> r.channel("C0CALLS").threadTs(parentTs).text("End this call")
                .blocks(section("End this call")).metadata(REPLY_METADATA)).getTs();

        ChatUpdateResponse updated = methods.chatUpdate(r -> r.channel("C0CALLS").ts(control).text("Call ended: done")
                .blocks(section("Call ended: done")));

        assertThat(updated.isOk()).isTrue();
        assertThat(updated.getTs()).isEqualTo(control);
        assertThat(updated.getChannel()).isEqualTo("C0CALLS");
        assertThat(updated.getMessage().getText()).isEqualTo("Call ended: done");
        PostedMessage shown = EMULATOR.emulator().client().thread("C0CALLS", parentTs).orElseThrow().replies().get(0);
        assertThat(shown.text()).isEqualTo("Call ended: done");
        assertThat(shown.blocks()).hasSize(1);
        assertThat(shown.blocks().at("/0/text/text").asText()).isEqualTo("Call ended: done");
        assertThat(shown.edits()).isEqualTo(1);
        assertThat(shown.metadata().path("event_type").asText()).isEqualTo("callbridge_thread_reply");
        assertThat(shown.threadTs()).isEqualTo(parentTs);
    }

    @Test
    void chatUpdateWithoutBlocksKeepsThemAndAnEmptyListRemovesThem() throws Exception {
        String ts = methods.chatPostMessage(r -> r.channel("C0CALLS").text("a").blocks(section("a"))).getTs();

        methods.chatUpdate(r -> r.channel("C0CALLS").ts(ts).text("b"));
        assertThat(EMULATOR.emulator().client().thread("C0CALLS", ts).orElseThrow().parent().blocks()).hasSize(1);

        methods.chatUpdate(r -> r.channel("C0CALLS").ts(ts).text("c").blocksAsString("[]"));
        PostedMessage cleared = EMULATOR.emulator().client().thread("C0CALLS", ts).orElseThrow().parent();
        assertThat(cleared.blocks()).isEmpty();
        assertThat(cleared.edits()).isEqualTo(2);
    }

    @Test
    void chatUpdateOfAMessageThatIsNotThereOrNotTheTokensIsRefused() throws Exception {
        assertThat(methods.chatUpdate(r -> r.channel("C0CALLS").ts("1.000001").text("x")).getError())
                .isEqualTo("message_not_found");
        assertThat(methods.chatUpdate(r -> r.channel("C0OTHER").ts(parentTs).text("x")).getError())
                .isEqualTo("message_not_found");
        assertThat(EMULATOR.slack().methods(OTHER_TEAM_TOKEN).chatUpdate(r -> r.channel("C0CALLS").ts(parentTs).text("x"))
                .getError()).isEqualTo("message_not_found");
        assertThat(EMULATOR.slack().methods(USER_TOKEN).chatUpdate(r -> r.channel("C0CALLS").ts(parentTs).text("x"))
                .getError()).isEqualTo("cant_update_message");
        assertThat(methods.chatUpdate(r -> r.channel("C0CALLS").ts(parentTs)).getError()).isEqualTo("no_text");
        assertThat(EMULATOR.emulator().client().messages()).singleElement()
                .satisfies(message -> assertThat(message.edits()).isZero());
    }

    @Test
    void conversationsRepliesPagesThroughTheThreadOldestFirstWithMetadataOnlyWhenAsked() throws Exception {
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            replies.add(reply("reply " + i).getTs());
        }
        String tagged = methods.chatPostMessage(r -> r.channel("C0CALLS").threadTs(parentTs).text("tagged")
                .metadata(REPLY_METADATA)).getTs();

        List<Message> read = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String page = cursor;
            ConversationsRepliesResponse response = methods.conversationsReplies(r -> r.channel("C0CALLS")
                    .ts(replies.get(2)).limit(2).cursor(page).includeAllMetadata(true));
            assertThat(response.isOk()).as(response.getError()).isTrue();
            read.addAll(response.getMessages());
            cursor = response.getResponseMetadata().getNextCursor();
            pages++;
        } while (cursor != null && !cursor.isEmpty());

        assertThat(pages).isEqualTo(3);
        assertThat(read).extracting(Message::getTs).containsExactly(parentTs, replies.get(0), replies.get(1),
                replies.get(2), replies.get(3), tagged);
        assertThat(read.get(0).getReplyCount()).isEqualTo(5);
        assertThat(read.get(5).getMetadata().getEventType()).isEqualTo("callbridge_thread_reply");
        assertThat(read.get(5).getMetadata().getEventPayload()).containsEntry("external_unique_id", "call-1");
        assertThat(methods.conversationsReplies(r -> r.channel("C0CALLS").ts(parentTs)).getMessages())
                .hasSize(6).allSatisfy(message -> assertThat(message.getMetadata()).isNull());
    }

    @Test
    void conversationsRepliesRefusesWhatSlackRefuses() throws Exception {
        assertThat(methods.conversationsReplies(r -> r.channel("C0CALLS").ts("1.000001")).getError())
                .isEqualTo("thread_not_found");
        assertThat(methods.conversationsReplies(r -> r.channel("CUNKNOWN1").ts(parentTs)).getError())
                .isEqualTo("channel_not_found");
        assertThat(methods.conversationsReplies(r -> r.channel("C0PRIVATE").ts(parentTs)).getError())
                .isEqualTo("not_in_channel");
        assertThat(methods.conversationsReplies(r -> r.channel("C0CALLS").ts(parentTs).cursor("bm90LWEtY3Vyc29y"))
                .getError()).isEqualTo("invalid_cursor");
        assertThat(EMULATOR.slack().methods(CHAT_ONLY_TOKEN).conversationsReplies(r -> r.channel("C0CALLS").ts(parentTs))
                .getError()).isEqualTo("missing_scope");
    }

    @Test
    void chatUpdateAndConversationsRepliesAreInTier3AndRepliesCountAgainstTheirChannel() throws Exception {
        EmulatorClient client = EMULATOR.emulator().client();
        client.rateLimits(RateLimits.slack());
        assertThat(client.rateLimits().forMethod(ApiMethod.CHAT_UPDATE)).contains(Tier.TIER_3.limit());
        assertThat(client.rateLimits().forMethod(ApiMethod.CONVERSATIONS_REPLIES)).contains(Tier.TIER_3.limit());
        assertThat(RateLimits.sdk().forMethod(ApiMethod.CONVERSATIONS_REPLIES)).contains(Tier.TIER_3.limit());

        assertThat(reply("within the second").isOk()).isTrue();
        SlackApiException refused = catchThrowableOfType(SlackApiException.class, () -> reply("one too many"));

        assertThat(refused.getResponse().code()).isEqualTo(429);
        assertThat(client.stats().of(ApiMethod.CHAT_POST_MESSAGE).rateLimited()).isEqualTo(1);
    }

    private static List<LayoutBlock> section(String mrkdwn) {
        return List.of(SectionBlock.builder().text(MarkdownTextObject.builder().text(mrkdwn).build()).build());
    }
}
