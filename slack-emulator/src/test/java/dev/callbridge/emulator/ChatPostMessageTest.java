package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.OTHER_TEAM_TOKEN;
import static dev.callbridge.emulator.SlackSdk.TEAM;
import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static dev.callbridge.emulator.SlackSdk.addCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.block.CallBlock;
import com.slack.api.model.block.LayoutBlock;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code chat.postMessage} with a call block, as the bridge shows a call in a channel. */
class ChatPostMessageTest {

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass(() -> SlackSdk.emulatorBuilder()
            .rateLimits(RateLimits.unlimited())
            .directory(Directory.defaults().withUnknownChannels("C0ARCHIVED").withChannelsWithoutApp("C0PRIVATE"))
            .build().start());

    private MethodsClient methods;

    @BeforeEach
    void resetEmulator() {
        methods = EMULATOR.slack().methods(TOKEN);
    }

    @Test
    void aCallBlockShowsTheCallInTheChannel() throws Exception {
        String callId = addCall(methods, "pbx-1");

        ChatPostMessageResponse response = methods.chatPostMessage(r -> r
                .channel("C0CALLS").text("Incoming call").blocks(callBlock(callId)));

        assertThat(response.isOk()).isTrue();
        assertThat(response.getChannel()).isEqualTo("C0CALLS");
        assertThat(response.getTs()).matches("\\d+\\.\\d{6}");
        assertThat(response.getMessage().getBlocks()).singleElement()
                .isInstanceOfSatisfying(CallBlock.class, block -> assertThat(block.getCallId()).isEqualTo(callId));
        assertThat(EMULATOR.emulator().client().messages()).singleElement().satisfies(posted -> {
            assertThat(posted.teamId()).isEqualTo(TEAM);
            assertThat(posted.channel()).isEqualTo("C0CALLS");
            assertThat(posted.ts()).isEqualTo(response.getTs());
            assertThat(posted.text()).isEqualTo("Incoming call");
            assertThat(posted.callIds()).containsExactly(callId);
            assertThat(posted.threadTs()).isNull();
            assertThat(posted.botId()).isEqualTo(response.getMessage().getBotId());
            assertThat(posted.edits()).isZero();
        });
        assertThat(methods.callsInfo(r -> r.id(callId)).getCall().getChannels()).containsExactly("C0CALLS");
    }

    @Test
    void timestampsIncreaseFromMessageToMessage() throws Exception {
        String first = methods.chatPostMessage(r -> r.channel("C0CALLS").text("one")).getTs();
        String second = methods.chatPostMessage(r -> r.channel("C0OTHER").text("two")).getTs();

        assertThat(new BigDecimal(second)).isGreaterThan(new BigDecimal(first));
    }

    @Test
    void aChannelThatDoesNotExistIsChannelNotFound() throws Exception {
        assertThat(postText("CUNKNOWN1").getError()).isEqualTo("channel_not_found");
        assertThat(postText("C0ARCHIVED").getError()).isEqualTo("channel_not_found");
        assertThat(methods.chatPostMessage(r -> r.text("x")).getError()).isEqualTo("channel_not_found");
    }

    @Test
    void aChannelTheAppIsNotInIsNotInChannel() throws Exception {
        assertThat(postText("CNOAPP1").getError()).isEqualTo("not_in_channel");
        assertThat(postText("C0PRIVATE").getError()).isEqualTo("not_in_channel");
    }

    @Test
    void aCallBlockNamingNoCallOfTheWorkspaceIsInvalidBlocks() throws Exception {
        String otherWorkspacesCall = addCall(EMULATOR.slack().methods(OTHER_TEAM_TOKEN), "pbx-1");

        assertThat(postBlocks(callBlock("R0NOSUCHCALL")).getError()).isEqualTo("invalid_blocks");
        assertThat(postBlocks(callBlock(otherWorkspacesCall)).getError()).isEqualTo("invalid_blocks");
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS").text("x").blocksAsString("[{\"type\":\"call\"}]"))
                .getError()).isEqualTo("invalid_blocks");
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS").text("x").blocksAsString("{not json")).getError())
                .isEqualTo("invalid_blocks");
        assertThat(EMULATOR.emulator().client().messages()).isEmpty();
    }

    @Test
    void aMessageWithNeitherTextNorBlocksIsNoText() throws Exception {
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS")).getError()).isEqualTo("no_text");
    }

    private ChatPostMessageResponse postText(String channel) throws Exception {
        return methods.chatPostMessage(r -> r.channel(channel).text("x"));
    }

    private ChatPostMessageResponse postBlocks(List<LayoutBlock> blocks) throws Exception {
        return methods.chatPostMessage(r -> r.channel("C0CALLS").text("x").blocks(blocks));
    }

    private static List<LayoutBlock> callBlock(String callId) {
        return List.of(CallBlock.builder().callId(callId).build());
    }
}
