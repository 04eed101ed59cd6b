package dev.callbridge.slack;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.Methods;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.RequestFormBuilder;
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
import com.slack.api.methods.response.calls.CallsEndResponse;
import com.slack.api.methods.response.calls.CallsInfoResponse;
import com.slack.api.methods.response.calls.CallsUpdateResponse;
import com.slack.api.methods.response.calls.participants.CallsParticipantsAddResponse;
import com.slack.api.methods.response.calls.participants.CallsParticipantsRemoveResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.chat.ChatUpdateResponse;
import com.slack.api.methods.response.conversations.ConversationsRepliesResponse;
import com.slack.api.model.Call;
import com.slack.api.model.CallParticipant;
import com.slack.api.model.Message;
import com.slack.api.model.block.CallBlock;
import com.slack.api.util.http.SlackHttpClient;
import com.slack.api.util.json.GsonFactory;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Response;

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
    private final MethodsClient methods;
    private final SlackConfig config;
    /**
     * Reads every answer. The SDK's own methods build a new {@link Gson} for each answer they read,
     * and with it the reflective adapters of the answer's classes again: about 300 µs of CPU for a
     * {@code chat.postMessage} answer carrying its call block, against 5 µs with adapters built once.
     */
    private final Gson answers;
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
        this.methods = slack.methods();
        this.config = config;
        this.answers = GsonFactory.createSnakeCase(config);
        this.tokens = tokens;
    }

    @Override
    public SlackAnswer send(CallOp op) {
        Optional<SlackToken> token = tokens.forWorkspace(op.teamId());
        if (token.isEmpty()) {
            return new SlackAnswer.Error(tokens.missing(op.teamId()));
        }
        String secret = token.get().reveal();
        try {
            if (op instanceof CallOp.FindReply find) {
                return findReply(secret, find);
            }
            return answer(call(secret, op));
        } catch (SlackApiException e) {
            int status = e.getResponse().code();
            if (status == 429) {
                return new SlackAnswer.RateLimited(retryAfter(e.getResponse().header("Retry-After")));
            }
            return new SlackAnswer.HttpStatus(status);
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
            CallsInfoResponse response = post(token.get().reveal(), Methods.CALLS_INFO,
                    RequestFormBuilder.toForm(CallsInfoRequest.builder().id(slackCallId).build()),
                    CallsInfoResponse.class);
            if (!response.isOk() || response.getCall() == null) {
                return new SlackCallInfo.Unavailable(response.getError() == null ? "unknown_error" : response.getError());
            }
            return found(response.getCall());
        } catch (SlackApiException e) {
            return new SlackCallInfo.Unavailable("HTTP " + e.getResponse().code());
        } catch (IOException e) {
            return new SlackCallInfo.Unavailable(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (JsonParseException e) {
            return new SlackCallInfo.Unavailable("unreadable answer: " + e.getClass().getSimpleName());
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

    private SlackApiTextResponse call(String token, CallOp op) throws IOException, SlackApiException {
        if (op instanceof CallOp.PostAnalysis analysis) {
            return postReply(token, analysis, ThreadMessages.analysis(analysis));
        }
        if (op instanceof CallOp.PostEndCallControl control) {
            return postReply(token, control, ThreadMessages.endCallControl(control));
        }
        if (op instanceof CallOp.ShowCallEnded ended) {
            ThreadMessages.Content content = ThreadMessages.callEnded(ended);
            // The blocks replace the button; without them chat.update would keep it.
            return post(token, Methods.CHAT_UPDATE, RequestFormBuilder.toForm(ChatUpdateRequest.builder()
                    .channel(ended.channel())
                    .ts(ended.ts())
                    .text(content.text())
                    .blocks(content.blocks())
                    .build()), ChatUpdateResponse.class);
        }
        if (op instanceof CallOp.InspectCall inspect) {
            return post(token, Methods.CALLS_INFO,
                    RequestFormBuilder.toForm(CallsInfoRequest.builder().id(inspect.slackCallId()).build()),
                    CallsInfoResponse.class);
        }
        if (op instanceof CallOp.AddCall add) {
            return post(token, Methods.CALLS_ADD, RequestFormBuilder.toForm(CallsAddRequest.builder()
                    .externalUniqueId(add.externalUniqueId())
                    .joinUrl(add.joinUrl())
                    .desktopAppJoinUrl(add.desktopAppJoinUrl())
                    .externalDisplayId(add.externalDisplayId())
                    .title(add.title())
                    .createdBy(add.createdBy())
                    .dateStart(Math.toIntExact(add.dateStart()))
                    .users(participants(add.users()))
                    .build()), CallsAddResponse.class);
        }
        if (op instanceof CallOp.PostCallBlock block) {
            return post(token, Methods.CHAT_POST_MESSAGE, RequestFormBuilder.toForm(ChatPostMessageRequest.builder()
                    .channel(block.channel())
                    .text(block.text())
                    .blocks(List.of(CallBlock.builder().callId(block.slackCallId()).build()))
                    .build()), ChatPostMessageResponse.class);
        }
        if (op instanceof CallOp.AddParticipants add) {
            return post(token, Methods.CALLS_PARTICIPANTS_ADD, RequestFormBuilder.toForm(
                    CallsParticipantsAddRequest.builder().id(add.slackCallId()).users(participants(add.users())).build()),
                    CallsParticipantsAddResponse.class);
        }
        if (op instanceof CallOp.RemoveParticipants remove) {
            return post(token, Methods.CALLS_PARTICIPANTS_REMOVE, RequestFormBuilder.toForm(
                    CallsParticipantsRemoveRequest.builder().id(remove.slackCallId())
                            .users(participants(remove.users())).build()),
                    CallsParticipantsRemoveResponse.class);
        }
        if (op instanceof CallOp.UpdateCall update) {
            return post(token, Methods.CALLS_UPDATE, RequestFormBuilder.toForm(CallsUpdateRequest.builder()
                    .id(update.slackCallId())
                    .title(update.title())
                    .joinUrl(update.joinUrl())
                    .desktopAppJoinUrl(update.desktopAppJoinUrl())
                    .build()), CallsUpdateResponse.class);
        }
        CallOp.EndCall end = (CallOp.EndCall) op;
        return post(token, Methods.CALLS_END, RequestFormBuilder.toForm(CallsEndRequest.builder()
                .id(end.slackCallId())
                .duration(end.duration() == null ? null : Math.toIntExact(end.duration()))
                .build()), CallsEndResponse.class);
    }

    /**
     * Sends a request the SDK formed, and reads the answer, as its methods do but with {@link #answers}:
     * a status other than 2xx is the SDK's {@link SlackApiException}; a 2xx answer gets its headers and
     * goes past the SDK's response listeners. A 2xx answer without a body is an {@link IOException}: an
     * answer that says nothing, whatever Slack did.
     */
    private <T extends SlackApiTextResponse> T post(String token, String method, FormBody.Builder form,
            Class<T> type) throws IOException, SlackApiException {
        try (Response response = methods.runPostFormWithToken(form, method, token)) {
            String body = response.body() == null ? "" : response.body().string();
            if (!response.isSuccessful()) {
                throw new SlackApiException(config, response, body);
            }
            try {
                T answer = answers.fromJson(body, type);
                if (answer == null) {
                    throw new IOException("empty answer (HTTP " + response.code() + ")");
                }
                answer.setHttpResponseHeaders(response.headers().toMultimap());
                return answer;
            } finally {
                slack.getHttpClient().runHttpResponseListeners(response, body);
            }
        }
    }

    private ChatPostMessageResponse postReply(String token, CallOp.ThreadPost op,
            ThreadMessages.Content content) throws IOException, SlackApiException {
        return post(token, Methods.CHAT_POST_MESSAGE, RequestFormBuilder.toForm(ChatPostMessageRequest.builder()
                .channel(op.channel())
                .threadTs(op.threadTs())
                .text(content.text())
                .blocks(content.blocks())
                .metadata(content.metadata())
                .unfurlLinks(false)
                .unfurlMedia(false)
                .build()), ChatPostMessageResponse.class);
    }

    /**
     * Reads the thread page by page, oldest first, until the bridge's reply of the kind looked for turns
     * up or the thread ends. A page Slack refuses ends the search with that answer.
     */
    private SlackAnswer findReply(String token, CallOp.FindReply find)
            throws IOException, SlackApiException {
        String cursor = null;
        for (int page = 0; page < MAX_REPLY_PAGES; page++) {
            ConversationsRepliesResponse response = post(token, Methods.CONVERSATIONS_REPLIES,
                    RequestFormBuilder.toForm(ConversationsRepliesRequest.builder()
                            .channel(find.channel())
                            .ts(find.threadTs())
                            .limit(REPLIES_PAGE)
                            .cursor(cursor)
                            .includeAllMetadata(true)
                            .build()),
                    ConversationsRepliesResponse.class);
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
