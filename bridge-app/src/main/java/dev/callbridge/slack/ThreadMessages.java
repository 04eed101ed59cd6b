package dev.callbridge.slack;

import com.slack.api.model.Message;
import com.slack.api.model.block.ActionsBlock;
import com.slack.api.model.block.HeaderBlock;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.ConfirmationDialogObject;
import com.slack.api.model.block.composition.MarkdownTextObject;
import com.slack.api.model.block.composition.PlainTextObject;
import com.slack.api.model.block.element.ButtonElement;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.ThreadReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the bridge's messages in a call block's thread say: their text (what notifications show), their
 * blocks, and the metadata that names the call and the kind of reply, by which the bridge finds a reply
 * in the thread again. The provider's words are escaped for Slack's mrkdwn.
 */
final class ThreadMessages {

    /** The action id of the End call button, which the Slack app handles. */
    static final String END_CALL_ACTION = "bridge_end_call";
    static final String END_CALL_TEXT = "End this call from Slack";
    /** Slack takes at most 3000 characters in a section's text. */
    private static final int SECTION_LIMIT = 3000;
    /** The summary in a notification: enough to recognise the call. */
    private static final int NOTIFICATION_LIMIT = 300;

    /** One message: its text, blocks and, for a new reply, its metadata. */
    record Content(String text, List<LayoutBlock> blocks, Message.Metadata metadata) {}

    private ThreadMessages() {}

    static Content analysis(CallOp.PostAnalysis op) {
        List<LayoutBlock> blocks = new ArrayList<>();
        blocks.add(HeaderBlock.builder().text(plain("Call analysis")).build());
        if (op.summary() != null) {
            blocks.add(section(Mrkdwn.within(op.summary(), SECTION_LIMIT)));
        }
        if (op.sentiment() != null) {
            blocks.add(section("*Sentiment:* " + Mrkdwn.within(capitalised(op.sentiment()), SECTION_LIMIT - 20)));
        }
        List<String> links = new ArrayList<>();
        if (op.recordingUrl() != null) {
            links.add(Mrkdwn.link(op.recordingUrl(), "Recording"));
        }
        if (op.transcriptUrl() != null) {
            links.add(Mrkdwn.link(op.transcriptUrl(), "Transcript"));
        }
        if (!links.isEmpty()) {
            blocks.add(section(String.join("  ·  ", links)));
        }
        String text = "Call analysis"
                + (op.sentiment() == null ? "" : " (" + Mrkdwn.within(op.sentiment(), 40) + ")")
                + (op.summary() == null ? "" : ": " + Mrkdwn.within(op.summary(), NOTIFICATION_LIMIT));
        return new Content(text, blocks, metadata(op));
    }

    static Content endCallControl(CallOp.PostEndCallControl op) {
        ButtonElement button = ButtonElement.builder()
                .actionId(END_CALL_ACTION)
                .text(plain("End call"))
                .style("danger")
                .value(op.externalUniqueId())
                .confirm(ConfirmationDialogObject.builder()
                        .title(plain("End this call?"))
                        .text(plain("The call is ended for everyone on it."))
                        .confirm(plain("End call"))
                        .deny(plain("Keep it"))
                        .style("danger")
                        .build())
                .build();
        List<LayoutBlock> blocks = List.of(
                section(END_CALL_TEXT),
                ActionsBlock.builder().elements(List.of(button)).build());
        return new Content(END_CALL_TEXT, blocks, metadata(op));
    }

    /** The End call control once the call ended: no button, and why it ended; a mention of who ended it stays one. */
    static Content callEnded(CallOp.ShowCallEnded op) {
        String text = op.reason() == null ? "Call ended"
                : "Call ended: " + Mrkdwn.escapeKeepingUserMentions(op.reason());
        if (text.length() > SECTION_LIMIT) {
            text = "Call ended: " + Mrkdwn.within(op.reason(), SECTION_LIMIT - "Call ended: ".length());
        }
        return new Content(text, List.of(section(text)), null);
    }

    /** Whether {@code message} is the bridge's reply of {@code kind} for {@code call}, by its metadata. */
    static boolean isReply(Message message, String call, ThreadReply kind) {
        Message.Metadata metadata = message.getMetadata();
        if (metadata == null || !ThreadReply.METADATA_EVENT_TYPE.equals(metadata.getEventType())
                || metadata.getEventPayload() == null) {
            return false;
        }
        Map<String, Object> payload = metadata.getEventPayload();
        return call.equals(payload.get("external_unique_id")) && kind.wireName().equals(payload.get("reply"));
    }

    private static Message.Metadata metadata(CallOp.ThreadPost op) {
        return Message.Metadata.builder()
                .eventType(ThreadReply.METADATA_EVENT_TYPE)
                .eventPayload(Map.of(
                        "external_unique_id", op.externalUniqueId(),
                        "reply", op.reply().wireName(),
                        "op_id", op.opId()))
                .build();
    }

    private static String capitalised(String word) {
        return word.isEmpty() ? word : word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }

    private static SectionBlock section(String mrkdwn) {
        return SectionBlock.builder().text(MarkdownTextObject.builder().text(mrkdwn).build()).build();
    }

    private static PlainTextObject plain(String text) {
        return PlainTextObject.builder().text(text).emoji(true).build();
    }
}
