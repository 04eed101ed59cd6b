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
import com.slack.api.methods.response.calls.CallsAddResponse;
import com.slack.api.methods.response.calls.CallsInfoResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.Call;
import com.slack.api.model.CallParticipant;
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

/** Sends operations through the official Slack Java SDK to Slack, or to any compatible base URL. */
public final class SdkSlackClient implements SlackClient, AutoCloseable {

    /** Slack's production Web API. */
    public static final String SLACK_API_URL = "https://slack.com/api/";
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

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

    private static SlackAnswer answer(SlackApiTextResponse response) {
        if (!response.isOk()) {
            return new SlackAnswer.Error(response.getError() == null ? "unknown_error" : response.getError());
        }
        if (response instanceof CallsAddResponse added) {
            return new SlackAnswer.Ok(added.getCall() == null ? null : added.getCall().getId(), null);
        }
        if (response instanceof CallsInfoResponse info) {
            return info.getCall() == null ? new SlackAnswer.NoAnswer("calls.info answered without a call")
                    : new SlackAnswer.Info(found(info.getCall()));
        }
        if (response instanceof ChatPostMessageResponse posted) {
            return new SlackAnswer.Ok(null, posted.getTs());
        }
        return new SlackAnswer.Ok(null, null);
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
