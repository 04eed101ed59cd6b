package dev.callbridge.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.request.calls.CallsAddRequest;
import com.slack.api.methods.request.calls.CallsEndRequest;
import com.slack.api.methods.request.calls.CallsInfoRequest;
import com.slack.api.methods.request.calls.CallsUpdateRequest;
import com.slack.api.methods.request.calls.participants.CallsParticipantsAddRequest;
import com.slack.api.methods.request.calls.participants.CallsParticipantsRemoveRequest;
import com.slack.api.methods.request.chat.ChatPostMessageRequest;
import com.slack.api.methods.request.chat.ChatUpdateRequest;
import com.slack.api.methods.request.conversations.ConversationsRepliesRequest;
import com.slack.api.methods.response.calls.CallsAddResponse;
import com.slack.api.methods.response.calls.CallsInfoResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.methods.response.conversations.ConversationsRepliesResponse;
import com.slack.api.model.Call;
import com.slack.api.model.CallParticipant;
import com.slack.api.model.Message;
import com.slack.api.model.block.CallBlock;
import com.slack.api.util.http.SlackHttpClient;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * Sends operations through the official Slack Java SDK to Slack, or to any compatible base URL; the
 * messages in a call block's thread say what {@link ThreadMessages} writes.
 */
public final class SdkSlackClient implements SlackClient, AutoCloseable {

    /** Slack's production Web API. */
    public static final String SLACK_API_URL = "https://slack.com/api/";
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    /** Replies read per {@code conversations.replies} page, as Slack recommends. */
    private static final int REPLIES_PAGE = 200;
    /** Pages read at most while looking for a reply: a thread that long is not searched to its end. */
    private static final int MAX_REPLY_PAGES = 20;

    private final Slack slack;
    private final TokenSource tokens;

    /**
     * A client of the Web API at {@code baseUrl} with these tokens.
     *
     * @param baseUrl the Web API's base URL, ending in {@code /api/}
     * @param timeout the longest a request may take, connection and answer included
     * @param connections idle connections kept open: as many as requests sent at once, or every
     *     request beyond the pool's size opens (and for Slack, handshakes) a connection of its own
     */
    public SdkSlackClient(String baseUrl, TokenSource tokens, Duration timeout, int connections) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        config.setHttpClientCallTimeoutMillis(Math.toIntExact(timeout.toMillis()));
        config.setHttpClientReadTimeoutMillis(Math.toIntExact(timeout.toMillis()));
        config.setPrettyResponseLoggingEnabled(false);
        config.setStatsEnabled(false);
        // OkHttp would resend a request whose connection dropped, unseen by the dispatcher; a
        // calls.add resent that way registers a second Slack call. Retries are the dispatcher's.
        OkHttpClient http = SlackHttpClient.buildOkHttpClient(config).newBuilder()
                .retryOnConnectionFailure(false)
                .connectionPool(new ConnectionPool(connections, 5, TimeUnit.MINUTES))
                .build();
        this.slack = Slack.getInstance(config, new SlackHttpClient(http));
        this.tokens = tokens;
    }

    @Override
    public SlackAnswer send(CallOp op) {
        Optional<SlackToken> token = tokens.forWorkspace(op.teamId());
        if (token.isEmpty()) {
            return new SlackAnswer.Error(tokens.missing(op.teamId()));
        }
        MethodsClient methods = slack.methods(token.get().reveal());
        try {
            if (op instanceof CallOp.FindReply find) {
                return findReply(methods, find);
            }
            return answer(call(methods, op));
        } catch (SlackApiException e) {
            int status = e.getResponse().code();
            if (status == 429) {
                return new SlackAnswer.RateLimited(retryAfter(e.getResponse().header("Retry-After")));
            }
            return status == 200
                    ? new SlackAnswer.NoAnswer("unreadable answer from Slack")
                    : new SlackAnswer.HttpStatus(status);
        } catch (IOException e) {
            return new SlackAnswer.NoAnswer(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // An answer the SDK could not make sense of; whether Slack acted on it is unknown.
            return new SlackAnswer.NoAnswer("unreadable answer: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String refused(String teamId) {
        return tokens.refused(teamId);
    }

    /** Reads one call with {@code calls.info} (needs the {@code calls:read} scope); never retried. */
    public SlackCallInfo callInfo(String teamId, String slackCallId) {
        Optional<SlackToken> token = tokens.forWorkspace(teamId);
        if (token.isEmpty()) {
            return new SlackCallInfo.Unavailable(tokens.missing(teamId));
        }
        try {
            CallsInfoResponse response = slack.methods(token.get().reveal())
                    .callsInfo(CallsInfoRequest.builder().id(slackCallId).build());
            if (!response.isOk() || response.getCall() == null) {
                return new SlackCallInfo.Unavailable(response.getError() == null ? "unknown_error" : response.getError());
            }
            return found(response.getCall());
        } catch (SlackApiException e) {
            return new SlackCallInfo.Unavailable("HTTP " + e.getResponse().code());
        } catch (IOException e) {
            return new SlackCallInfo.Unavailable(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static SlackCallInfo.Found found(Call call) {
        List<Participant> users = call.getUsers() == null ? List.of() : call.getUsers().stream()
                .map(u -> new Participant(u.getSlackId(), u.getExternalId(), u.getDisplayName(), u.getAvatarUrl()))
                .toList();
        return new SlackCallInfo.Found(call.getId(), call.getExternalUniqueId(),
                call.getDateEnd() != null && call.getDateEnd() > 0, users, call.getTitle(), call.getJoinUrl(),
                call.getDesktopAppJoinUrl(), call.getChannels());
    }

    private static SlackApiTextResponse call(MethodsClient methods, CallOp op) throws IOException, SlackApiException {
        if (op instanceof CallOp.PostAnalysis analysis) {
            return postReply(methods, analysis, ThreadMessages.analysis(analysis));
        }
        if (op instanceof CallOp.PostEndCallControl control) {
            return postReply(methods, control, ThreadMessages.endCallControl(control));
        }
        if (op instanceof CallOp.ShowCallEnded ended) {
            ThreadMessages.Content content = ThreadMessages.callEnded(ended);
            // The blocks replace the button; without them chat.update would keep it.
            return methods.chatUpdate(ChatUpdateRequest.builder()
                    .channel(ended.channel())
                    .ts(ended.ts())
                    .text(content.text())
                    .blocks(content.blocks())
                    .build());
        }
        if (op instanceof CallOp.InspectCall inspect) {
            return methods.callsInfo(CallsInfoRequest.builder().id(inspect.slackCallId()).build());
        }
        if (op instanceof CallOp.AddCall add) {
            return methods.callsAdd(CallsAddRequest.builder()
                    .externalUniqueId(add.externalUniqueId())
                    .joinUrl(add.joinUrl())
                    .desktopAppJoinUrl(add.desktopAppJoinUrl())
                    .externalDisplayId(add.externalDisplayId())
                    .title(add.title())
                    .createdBy(add.createdBy())
                    .dateStart(Math.toIntExact(add.dateStart()))
                    .users(participants(add.users()))
                    .build());
        }
        if (op instanceof CallOp.PostCallBlock post) {
            return methods.chatPostMessage(ChatPostMessageRequest.builder()
                    .channel(post.channel())
                    .text(post.text())
                    .blocks(List.of(CallBlock.builder().callId(post.slackCallId()).build()))
                    .build());
        }
        if (op instanceof CallOp.AddParticipants add) {
            return methods.callsParticipantsAdd(CallsParticipantsAddRequest.builder()
                    .id(add.slackCallId()).users(participants(add.users())).build());
        }
        if (op instanceof CallOp.RemoveParticipants remove) {
            return methods.callsParticipantsRemove(CallsParticipantsRemoveRequest.builder()
                    .id(remove.slackCallId()).users(participants(remove.users())).build());
        }
        if (op instanceof CallOp.UpdateCall update) {
            return methods.callsUpdate(CallsUpdateRequest.builder()
                    .id(update.slackCallId())
                    .title(update.title())
                    .joinUrl(update.joinUrl())
                    .desktopAppJoinUrl(update.desktopAppJoinUrl())
                    .build());
        }
        CallOp.EndCall end = (CallOp.EndCall) op;
        return methods.callsEnd(CallsEndRequest.builder()
                .id(end.slackCallId())
                .duration(end.duration() == null ? null : Math.toIntExact(end.duration()))
                .build());
    }

    private static ChatPostMessageResponse postReply(MethodsClient methods, CallOp.ThreadPost op,
            ThreadMessages.Content content) throws IOException, SlackApiException {
        return methods.chatPostMessage(ChatPostMessageRequest.builder()
                .channel(op.channel())
                .threadTs(op.threadTs())
                .text(content.text())
                .blocks(content.blocks())
                .metadata(content.metadata())
                .unfurlLinks(false)
                .unfurlMedia(false)
                .build());
    }

    /**
     * Reads the thread page by page, oldest first, until the bridge's reply of the kind looked for turns
     * up or the thread ends. A page Slack refuses ends the search with that answer.
     */
    private static SlackAnswer findReply(MethodsClient methods, CallOp.FindReply find)
            throws IOException, SlackApiException {
        String cursor = null;
        for (int page = 0; page < MAX_REPLY_PAGES; page++) {
            ConversationsRepliesResponse response = methods.conversationsReplies(ConversationsRepliesRequest.builder()
                    .channel(find.channel())
                    .ts(find.threadTs())
                    .limit(REPLIES_PAGE)
                    .cursor(cursor)
                    .includeAllMetadata(true)
                    .build());
            if (!response.isOk()) {
                return new SlackAnswer.Error(response.getError() == null ? "unknown_error" : response.getError());
            }
            if (response.getMessages() != null) {
                Optional<String> found = response.getMessages().stream()
                        .filter(message -> !find.threadTs().equals(message.getTs()))
                        .filter(message -> ThreadMessages.isReply(message, find.externalUniqueId(), find.reply()))
                        .map(Message::getTs)
                        .findFirst();
                if (found.isPresent()) {
                    return new SlackAnswer.ThreadRead(found.get());
                }
            }
            cursor = response.getResponseMetadata() == null ? null : response.getResponseMetadata().getNextCursor();
            if (cursor == null || cursor.isEmpty()) {
                return new SlackAnswer.ThreadRead(null);
            }
        }
        return new SlackAnswer.Error(SlackErrorCodes.THREAD_TOO_LONG);
    }

    private static SlackAnswer answer(SlackApiTextResponse response) {
        if (!response.isOk()) {
            return new SlackAnswer.Error(response.getError() == null ? "unknown_error" : response.getError());
        }
        if (response instanceof CallsAddResponse added) {
            return new SlackAnswer.Ok(added.getCall() == null ? null : added.getCall().getId(), null, null);
        }
        if (response instanceof CallsInfoResponse info) {
            return info.getCall() == null ? new SlackAnswer.NoAnswer("calls.info answered without a call")
                    : new SlackAnswer.Info(found(info.getCall()));
        }
        if (response instanceof ChatPostMessageResponse posted) {
            return new SlackAnswer.Ok(null, posted.getTs(), posted.getChannel());
        }
        if (response instanceof ChatUpdateResponse updated) {
            return new SlackAnswer.Ok(null, updated.getTs(), updated.getChannel());
        }
        return new SlackAnswer.Ok(null, null, null);
    }

    private static List<CallParticipant> participants(List<Participant> users) {
        return users.stream().map(p -> CallParticipant.builder()
                .slackId(p.slackId())
                .externalId(p.externalId())
                .displayName(p.displayName())
                .avatarUrl(p.avatarUrl())
                .build()).toList();
    }

    static Duration retryAfter(String header) {
        if (header == null) {
            return DEFAULT_RETRY_AFTER;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds <= 0 ? DEFAULT_RETRY_AFTER : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return DEFAULT_RETRY_AFTER;
        }
    }

    @Override
    public void close() throws Exception {
        slack.close();
    }
}
