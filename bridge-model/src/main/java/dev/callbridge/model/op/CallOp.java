package dev.callbridge.model.op;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.callbridge.model.event.Participant;
import java.util.List;

/**
 * One Slack request the reconciler wants made for a call. Every variant carries a deterministic
 * {@code op_id} ({@code <external_unique_id>:<incarnation>:<n>:<method>}, n counting the operations of
 * this incarnation of the call's state) so that results can be matched to the operation in flight and
 * replays produce identical records.
 *
 * <p>The record's {@code method} names the variant: the Slack method, and for the messages in the call
 * block's thread, after a {@code :}, which message it is.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "method")
@JsonSubTypes({
    @JsonSubTypes.Type(value = CallOp.AddCall.class, name = "calls.add"),
    @JsonSubTypes.Type(value = CallOp.PostCallBlock.class, name = "chat.postMessage"),
    @JsonSubTypes.Type(value = CallOp.AddParticipants.class, name = "calls.participants.add"),
    @JsonSubTypes.Type(value = CallOp.RemoveParticipants.class, name = "calls.participants.remove"),
    @JsonSubTypes.Type(value = CallOp.UpdateCall.class, name = "calls.update"),
    @JsonSubTypes.Type(value = CallOp.EndCall.class, name = "calls.end"),
    @JsonSubTypes.Type(value = CallOp.InspectCall.class, name = "calls.info"),
    @JsonSubTypes.Type(value = CallOp.PostAnalysis.class, name = "chat.postMessage:analysis"),
    @JsonSubTypes.Type(value = CallOp.PostEndCallControl.class, name = "chat.postMessage:end_call_control"),
    @JsonSubTypes.Type(value = CallOp.ShowCallEnded.class, name = "chat.update:end_call_control"),
    @JsonSubTypes.Type(value = CallOp.FindReply.class, name = "conversations.replies")
})
public sealed interface CallOp {

    /** Header on an operation record: when the reconciler issued it, in epoch milliseconds. */
    String ISSUED_AT_HEADER = "op.issued-at";
    /**
     * Header on an operation record: after how many milliseconds without word of it the reconciler
     * takes it as lost and plans another, so the dispatcher must not send it later than that.
     */
    String TIMEOUT_HEADER = "op.timeout-ms";

    String opId();

    /** The provider's call id, Slack's {@code external_unique_id}; also the record key. */
    String externalUniqueId();

    /** The Slack workspace to call; {@code null} means the configured default workspace. */
    String teamId();

    @JsonIgnore
    SlackMethod method();

    static String opId(String externalUniqueId, long sequence, SlackMethod method) {
        return externalUniqueId + ":" + sequence + ":" + method.apiName();
    }

    /** The op id in an incarnation of the call's state; without one, the form op ids had before. */
    static String opId(String externalUniqueId, String incarnation, long sequence, SlackMethod method) {
        return incarnation == null ? opId(externalUniqueId, sequence, method)
                : externalUniqueId + ":" + incarnation + ":" + sequence + ":" + method.apiName();
    }

    /** {@code calls.add}: registers the call, with everyone already on it in {@code users}. */
    record AddCall(
            String opId,
            String externalUniqueId,
            String teamId,
            String joinUrl,
            String desktopAppJoinUrl,
            String externalDisplayId,
            String title,
            String createdBy,
            long dateStart,
            List<Participant> users) implements CallOp {

        public AddCall {
            users = List.copyOf(users);
        }

        @Override
        public SlackMethod method() {
            return SlackMethod.CALLS_ADD;
        }
    }

    /** {@code chat.postMessage} with a call block, so the call shows in a channel. */
    record PostCallBlock(
            String opId,
            String externalUniqueId,
            String teamId,
            String slackCallId,
            String channel,
            String text) implements CallOp {

        @Override
        public SlackMethod method() {
            return SlackMethod.CHAT_POST_MESSAGE;
        }
    }

    /** {@code calls.participants.add} with the net set of people who joined. */
    record AddParticipants(
            String opId,
            String externalUniqueId,
            String teamId,
            String slackCallId,
            List<Participant> users) implements CallOp {

        public AddParticipants {
            users = List.copyOf(users);
        }

        @Override
        public SlackMethod method() {
            return SlackMethod.CALLS_PARTICIPANTS_ADD;
        }
    }

    /** {@code calls.participants.remove} with the net set of people who left. */
    record RemoveParticipants(
            String opId,
            String externalUniqueId,
            String teamId,
            String slackCallId,
            List<Participant> users) implements CallOp {

        public RemoveParticipants {
            users = List.copyOf(users);
        }

        @Override
        public SlackMethod method() {
            return SlackMethod.CALLS_PARTICIPANTS_REMOVE;
        }
    }

    /** {@code calls.update}: the call's current title and join links. */
    record UpdateCall(
            String opId,
            String externalUniqueId,
            String teamId,
            String slackCallId,
            String title,
            String joinUrl,
            String desktopAppJoinUrl) implements CallOp {

        @Override
        public SlackMethod method() {
            return SlackMethod.CALLS_UPDATE;
        }
    }

    /**
     * {@code calls.end}.
     *
     * @param reason why the bridge ends the call (the provider's disconnect reason, or the sweeper's);
     *     for operators, not sent to Slack
     */
    record EndCall(
            String opId,
            String externalUniqueId,
            String teamId,
            String slackCallId,
            Long duration,
            String reason) implements CallOp {

        @Override
        public SlackMethod method() {
            return SlackMethod.CALLS_END;
        }
    }

    /**
     * {@code calls.info}: what Slack shows for the call, asked when an operation's answer never came,
     * so the bridge goes on from Slack's state instead of repeating a request that may have worked.
     */
    record InspectCall(
            String opId,
            String externalUniqueId,
            String teamId,
            String slackCallId) implements CallOp {

        @Override
        public SlackMethod method() {
            return SlackMethod.CALLS_INFO;
        }
    }

    /**
     * A {@code chat.postMessage} in the call block's thread whose repeat would show: it carries
     * {@code metadata} naming the call and the {@link #reply kind}, by which it is found there again.
     */
    sealed interface ThreadPost extends CallOp permits PostAnalysis, PostEndCallControl {

        /** The conversation of the call block. */
        String channel();

        /** The call block's message {@code ts}: the thread the reply goes in. */
        String threadTs();

        ThreadReply reply();

        /**
         * Whether an earlier post of this reply may have reached Slack without its answer being kept (its
         * operation was recovered), so the dispatcher looks for it in the thread before posting.
         */
        boolean lookFirst();

        @Override
        default SlackMethod method() {
            return SlackMethod.CHAT_POST_MESSAGE;
        }
    }

    /** The provider's analysis of the call, posted in the call block's thread. */
    record PostAnalysis(
            String opId,
            String externalUniqueId,
            String teamId,
            String channel,
            String threadTs,
            String summary,
            String sentiment,
            String recordingUrl,
            String transcriptUrl,
            boolean lookFirst) implements ThreadPost {

        @Override
        public ThreadReply reply() {
            return ThreadReply.ANALYSIS;
        }
    }

    /**
     * The End call control, posted in the call block's thread: a button whose value is the call's
     * {@code external_unique_id}, handled by the Slack app.
     */
    record PostEndCallControl(
            String opId,
            String externalUniqueId,
            String teamId,
            String channel,
            String threadTs,
            boolean lookFirst) implements ThreadPost {

        @Override
        public ThreadReply reply() {
            return ThreadReply.END_CALL_CONTROL;
        }
    }

    /**
     * {@code chat.update} of the End call control once the call has ended: no button, and
     * {@code Call ended: <reason>}. Idempotent, so a repeat after a lost answer shows the same.
     *
     * @param ts the control's message
     * @param reason the provider's disconnect reason, or the sweeper's; {@code null} when none is known
     */
    record ShowCallEnded(
            String opId,
            String externalUniqueId,
            String teamId,
            String channel,
            String ts,
            String reason) implements CallOp {

        @Override
        public SlackMethod method() {
            return SlackMethod.CHAT_UPDATE;
        }
    }

    /**
     * {@code conversations.replies}: whether a {@link ThreadPost} is already in the thread. Only the
     * dispatcher asks it, before posting a reply that may have reached Slack unanswered, under the
     * post's op id; the reconciler never plans one.
     */
    record FindReply(
            String opId,
            String externalUniqueId,
            String teamId,
            String channel,
            String threadTs,
            ThreadReply reply) implements CallOp {

        public static FindReply before(ThreadPost post) {
            return new FindReply(post.opId(), post.externalUniqueId(), post.teamId(), post.channel(), post.threadTs(),
                    post.reply());
        }

        @Override
        public SlackMethod method() {
            return SlackMethod.CONVERSATIONS_REPLIES;
        }
    }
}
