package dev.callbridge.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.emulator.EmulatedCall.CallDetails;
import dev.callbridge.emulator.EmulatedCall.Registration;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each emulated method does to the state and answers, once the request is authenticated,
 * within its scopes and its budget. Errors are Slack's documented codes for each method.
 */
final class WebApiMethods {

    /** The most replies one {@code conversations.replies} page holds, and its default, as Slack documents. */
    private static final int MAX_REPLIES_PAGE = 1000;
    /** How far ahead of now {@code date_start} may lie; Slack states no bound, a day is generous. */
    private static final long MAX_START_AHEAD_SECONDS = Duration.ofDays(1).toSeconds();

    private final EmulatorState state;
    private final Directory directory;
    private final Installations installations;
    private final SocketMode socketMode;
    private final Clock clock = Clock.systemUTC();

    WebApiMethods(EmulatorState state, Directory directory, Installations installations, SocketMode socketMode) {
        this.state = state;
        this.directory = directory;
        this.installations = installations;
        this.socketMode = socketMode;
    }

    /**
     * @param grant the grant of the request's token; {@code null} for the methods an app calls with
     *     its own credentials ({@link ApiMethod#takesAppCredentials()})
     */
    ApiAnswer apply(ApiRequest request, TokenGrant grant) {
        try {
            return switch (request.method()) {
                case AUTH_TEST -> authTest(grant);
                case AUTH_REVOKE -> revoke(request);
                case OAUTH_V2_ACCESS -> installations.access(request);
                case APPS_CONNECTIONS_OPEN -> socketMode.open(request.token());
                case CALLS_ADD -> addCall(request, grant);
                case CHAT_POST_MESSAGE -> postMessage(request, grant);
                case CALLS_PARTICIPANTS_ADD -> addParticipants(request, grant);
                case CALLS_PARTICIPANTS_REMOVE -> removeParticipants(request, grant);
                case CALLS_UPDATE -> updateCall(request, grant);
                case CALLS_END -> endCall(request, grant);
                case CALLS_INFO -> callInfo(request, grant);
                case CHAT_UPDATE -> updateMessage(request, grant);
                case CONVERSATIONS_REPLIES -> replies(request, grant);
            };
        } catch (MethodError e) {
            return ApiAnswer.error(e);
        }
    }

    private ApiAnswer authTest(TokenGrant grant) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("url", "https://" + EmulatorState.defaultName(grant.teamId()) + ".slack.com/");
        fields.put("team", state.workspaceName(grant.teamId()));
        fields.put("user", grant.userId().toLowerCase(Locale.ROOT));
        fields.put("team_id", grant.teamId());
        fields.put("user_id", grant.userId());
        fields.put("bot_id", grant.botId());
        fields.put("is_enterprise_install", false);
        return ApiAnswer.ok(fields);
    }

    /** {@code test} (the SDK sends {@code true} or {@code false}) answers as if revoking, and revokes nothing. */
    private ApiAnswer revoke(ApiRequest request) {
        boolean test = request.optional("test").map(value -> value.equals("true") || value.equals("1")).orElse(false);
        if (!test) {
            installations.authRevoke(request.token());
        }
        return ApiAnswer.ok(Map.of("revoked", !test));
    }

    private ApiAnswer addCall(ApiRequest request, TokenGrant grant) {
        String externalUniqueId = request.required("external_unique_id");
        String joinUrl = request.required("join_url");
        // Slack requires created_by unless a user token stands for its own user.
        Optional<String> tokenUser = grant.isUserToken() ? Optional.of(grant.userId()) : Optional.empty();
        String createdBy = request.optional("created_by").or(() -> tokenUser)
                .orElseThrow(() -> new MethodError("invalid_arguments"));
        if (!directory.knowsUser(createdBy)) {
            throw new MethodError("invalid_created_by");
        }
        long now = clock.instant().getEpochSecond();
        long dateStart = request.optionalLong("date_start", "invalid_start_time").orElse(now);
        if (dateStart < 0 || dateStart > now + MAX_START_AHEAD_SECONDS) {
            throw new MethodError("invalid_start_time");
        }
        List<CallUser> users = request.optional("users").map(this::users).orElse(List.of());

        Workspace workspace = state.workspace(grant.teamId());
        String id = state.nextCallId();
        String duplicateOf = workspace.claimExternalId(externalUniqueId, id);
        if (duplicateOf != null) {
            state.duplicateCallAdded();
        }
        CallDetails details = new CallDetails(
                request.optional("title").orElse(null), joinUrl, request.optional("desktop_app_join_url").orElse(null));
        EmulatedCall call = new EmulatedCall(id, grant.teamId(), duplicateOf, new Registration(
                externalUniqueId, details, request.optional("external_display_id").orElse(null), createdBy,
                dateStart, users));
        workspace.add(call);
        return callAnswer(call);
    }

    private ApiAnswer addParticipants(ApiRequest request, TokenGrant grant) {
        String id = request.required("id");
        List<CallUser> users = changedUsers(request);
        state.workspace(grant.teamId()).call(id).addUsers(users);
        return ApiAnswer.ok(Map.of());
    }

    private ApiAnswer removeParticipants(ApiRequest request, TokenGrant grant) {
        String id = request.required("id");
        List<CallUser> users = changedUsers(request);
        state.workspace(grant.teamId()).call(id).removeUsers(users);
        return ApiAnswer.ok(Map.of());
    }

    private ApiAnswer updateCall(ApiRequest request, TokenGrant grant) {
        EmulatedCall call = state.workspace(grant.teamId()).call(request.required("id"));
        call.update(new CallDetails(
                request.optional("title").orElse(null),
                request.optional("join_url").orElse(null),
                request.optional("desktop_app_join_url").orElse(null)));
        return callAnswer(call);
    }

    private ApiAnswer endCall(ApiRequest request, TokenGrant grant) {
        String id = request.required("id");
        Long duration = request.optionalLong("duration", "invalid_arguments").orElse(null);
        if (duration != null && duration < 0) {
            throw new MethodError("invalid_arguments");
        }
        state.workspace(grant.teamId()).call(id).end(duration, clock.instant().getEpochSecond());
        return ApiAnswer.ok(Map.of());
    }

    private ApiAnswer callInfo(ApiRequest request, TokenGrant grant) {
        return callAnswer(state.workspace(grant.teamId()).call(request.required("id")));
    }

    private ApiAnswer postMessage(ApiRequest request, TokenGrant grant) {
        String channel = memberChannel(request);
        String text = request.optional("text").orElse(null);
        JsonNode blocks = request.optional("blocks").map(this::blocks).orElse(null);
        if (text == null && blocks == null && request.optional("attachments").isEmpty()) {
            throw new MethodError("no_text");
        }
        JsonNode metadata = request.optional("metadata").map(WebApiMethods::metadata).orElse(null);
        Messages messages = state.conversations();
        // A reply to a reply goes in its parent's thread, as in Slack.
        String threadTs = request.optional("thread_ts")
                .map(ts -> messages.find(grant.teamId(), channel, ts).orElseThrow(() -> new MethodError("thread_not_found")))
                .map(parent -> parent.isReply() ? parent.threadTs() : parent.ts())
                .orElse(null);
        Workspace workspace = state.workspace(grant.teamId());
        List<String> callIds = blocks == null ? List.of() : callIds(blocks, workspace);

        Instant now = clock.instant();
        String ts = state.nextTs(ChronoUnit.MICROS.between(Instant.EPOCH, now));
        callIds.forEach(id -> workspace.call(id).shownIn(channel));
        PostedMessage posted = new PostedMessage(grant.teamId(), channel, ts, threadTs, grant.userId(), grant.botId(),
                text, blocks, metadata, callIds, 0);
        messages.post(posted);

        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("channel", channel);
        fields.put("ts", ts);
        fields.put("message", message(posted, true, messages));
        return ApiAnswer.ok(fields);
    }

    /**
     * {@code chat.update}: the text, blocks (an empty list removes them; none keeps them) and metadata of a
     * message posted with the same token's user. Slack's edit window applies to people, not apps: none here.
     */
    private ApiAnswer updateMessage(ApiRequest request, TokenGrant grant) {
        String channel = request.optional("channel").orElseThrow(() -> new MethodError("channel_not_found"));
        if (!directory.knowsChannel(channel)) {
            throw new MethodError("channel_not_found");
        }
        String ts = request.required("ts");
        Messages messages = state.conversations();
        PostedMessage message = messages.find(grant.teamId(), channel, ts)
                .orElseThrow(() -> new MethodError("message_not_found"));
        if (!message.user().equals(grant.userId())) {
            throw new MethodError("cant_update_message");
        }
        String text = request.optional("text").orElse(null);
        JsonNode blocks = request.optional("blocks").map(this::blocks).orElse(null);
        if (text == null && blocks == null && request.optional("attachments").isEmpty()) {
            throw new MethodError("no_text");
        }
        JsonNode metadata = request.optional("metadata").map(WebApiMethods::metadata).orElse(message.metadata());
        Workspace workspace = state.workspace(grant.teamId());
        List<String> callIds = blocks == null ? message.callIds() : callIds(blocks, workspace);
        callIds.forEach(id -> workspace.call(id).shownIn(channel));
        PostedMessage updated = messages.update(ts, current -> current.updated(text != null ? text : current.text(),
                blocks != null ? blocks : current.blocks(), metadata, callIds));

        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("channel", channel);
        fields.put("ts", ts);
        fields.put("text", updated.text());
        fields.put("message", message(updated, true, messages));
        return ApiAnswer.ok(fields);
    }

    /**
     * {@code conversations.replies}: a thread's parent and its replies, oldest first, a page at a time
     * ({@code limit}, default and at most 1000; {@code cursor} from the last page's
     * {@code response_metadata.next_cursor}). {@code ts} may name the parent or any reply. Metadata is
     * included only with {@code include_all_metadata}. {@code oldest}, {@code latest} and
     * {@code inclusive} are not emulated.
     */
    private ApiAnswer replies(ApiRequest request, TokenGrant grant) {
        String channel = memberChannel(request);
        String ts = request.required("ts");
        Messages messages = state.conversations();
        PostedMessage found = messages.find(grant.teamId(), channel, ts)
                .orElseThrow(() -> new MethodError("thread_not_found"));
        PostedMessage parent = found.isReply()
                ? messages.find(grant.teamId(), channel, found.threadTs()).orElseThrow() : found;
        List<PostedMessage> thread = new ArrayList<>();
        thread.add(parent);
        thread.addAll(messages.replies(parent));
        long limit = Math.max(1, Math.min(MAX_REPLIES_PAGE,
                request.optionalLong("limit", "invalid_limit").orElse((long) MAX_REPLIES_PAGE)));
        int from = request.optional("cursor").map(WebApiMethods::pageStart).orElse(0);
        if (from > thread.size()) {
            throw new MethodError("invalid_cursor");
        }
        int to = (int) Math.min(thread.size(), from + limit);
        boolean withMetadata = request.optional("include_all_metadata")
                .map(value -> value.equals("true") || value.equals("1")).orElse(false);
        List<Map<String, Object>> page = new ArrayList<>();
        for (PostedMessage message : thread.subList(from, to)) {
            page.add(message(message, withMetadata, messages));
        }
        boolean hasMore = to < thread.size();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("messages", page);
        fields.put("has_more", hasMore);
        fields.put("response_metadata", Map.of("next_cursor", hasMore ? cursor(to) : ""));
        return ApiAnswer.ok(fields);
    }

    /** The {@code channel} argument, naming a conversation that exists and that the app is in. */
    private String memberChannel(ApiRequest request) {
        String channel = request.optional("channel").orElseThrow(() -> new MethodError("channel_not_found"));
        if (!directory.knowsChannel(channel)) {
            throw new MethodError("channel_not_found");
        }
        if (!directory.appIsMemberOf(channel)) {
            throw new MethodError("not_in_channel");
        }
        return channel;
    }

    /** A message in the shape Slack's answers carry it. */
    private static Map<String, Object> message(PostedMessage posted, boolean withMetadata, Messages messages) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "message");
        message.put("text", posted.text());
        message.put("user", posted.user());
        message.put("bot_id", posted.botId());
        message.put("ts", posted.ts());
        message.put("team", posted.teamId());
        message.put("blocks", posted.blocks());
        if (posted.isReply()) {
            message.put("thread_ts", posted.threadTs());
        } else {
            int replies = messages.replies(posted).size();
            if (replies > 0) {
                message.put("thread_ts", posted.ts());
                message.put("reply_count", replies);
            }
        }
        if (posted.edits() > 0) {
            message.put("edited", Map.of("user", posted.user(), "ts", posted.ts()));
        }
        if (withMetadata) {
            message.put("metadata", posted.metadata());
        }
        return message;
    }

    /**
     * A message's {@code metadata}: a JSON object with a text {@code event_type} and an object
     * {@code event_payload}.
     *
     * @throws MethodError {@code invalid_metadata_format} when it is not JSON, {@code invalid_metadata_schema}
     *     when it is not that shape
     */
    private static JsonNode metadata(String json) {
        JsonNode metadata = readJson(json, "invalid_metadata_format");
        if (!metadata.isObject() || !metadata.path("event_type").isTextual()
                || metadata.path("event_type").asText().isBlank() || !metadata.path("event_payload").isObject()) {
            throw new MethodError("invalid_metadata_schema");
        }
        return metadata;
    }

    private static String cursor(int index) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("next:" + index).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws MethodError {@code invalid_cursor} for a cursor this emulator did not hand out */
    private static int pageStart(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!text.startsWith("next:")) {
                throw new MethodError("invalid_cursor");
            }
            int index = Integer.parseInt(text.substring("next:".length()));
            if (index < 0) {
                throw new MethodError("invalid_cursor");
            }
            return index;
        } catch (IllegalArgumentException e) {
            throw new MethodError("invalid_cursor");
        }
    }

    private ApiAnswer callAnswer(EmulatedCall call) {
        return ApiAnswer.ok(Map.of("call", SlackCall.of(call.snapshot())));
    }

    /** The {@code users} of a participants change: required, not empty, nobody twice. */
    private List<CallUser> changedUsers(ApiRequest request) {
        List<CallUser> users = users(request.required("users"));
        Set<String> keys = new HashSet<>();
        if (users.isEmpty() || !users.stream().allMatch(user -> keys.add(user.key()))) {
            throw new MethodError("bad_users");
        }
        return users;
    }

    /**
     * Reads a {@code users} argument: a JSON array of objects naming a {@code slack_id} or an
     * {@code external_id}.
     *
     * @throws MethodError {@code bad_users} when it is not that; {@code user_not_found} for a Slack
     *     user the directory does not know
     */
    private List<CallUser> users(String json) {
        JsonNode root = readJson(json, "bad_users");
        if (!root.isArray()) {
            throw new MethodError("bad_users");
        }
        List<CallUser> users = new ArrayList<>();
        for (JsonNode entry : root) {
            if (!entry.isObject()) {
                throw new MethodError("bad_users");
            }
            CallUser user = new CallUser(text(entry, "slack_id"), text(entry, "external_id"),
                    text(entry, "display_name"), text(entry, "avatar_url"));
            if (user.slackId() == null && user.externalId() == null) {
                throw new MethodError("bad_users");
            }
            users.add(user);
        }
        for (CallUser user : users) {
            if (user.slackId() != null && !directory.knowsUser(user.slackId())) {
                throw new MethodError("user_not_found");
            }
        }
        return users;
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new MethodError("bad_users");
        }
        return value.asText().isBlank() ? null : value.asText();
    }

    private JsonNode blocks(String json) {
        JsonNode blocks = readJson(json, "invalid_blocks");
        if (!blocks.isArray()) {
            throw new MethodError("invalid_blocks");
        }
        for (JsonNode block : blocks) {
            if (!block.isObject() || !block.path("type").isTextual()) {
                throw new MethodError("invalid_blocks");
            }
        }
        return blocks;
    }

    /** @throws MethodError {@code invalid_blocks} for a call block without a call of this workspace */
    private static List<String> callIds(JsonNode blocks, Workspace workspace) {
        List<String> callIds = new ArrayList<>();
        for (JsonNode block : blocks) {
            if ("call".equals(block.path("type").asText())) {
                String callId = block.path("call_id").asText("");
                if (!workspace.has(callId)) {
                    throw new MethodError("invalid_blocks");
                }
                callIds.add(callId);
            }
        }
        return callIds;
    }

    private static JsonNode readJson(String json, String error) {
        try {
            return EmulatorJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new MethodError(error);
        }
    }

    /** A call in the shape Slack's answers carry it. */
    record SlackCall(
            String id,
            long dateStart,
            Long dateEnd,
            String externalUniqueId,
            String joinUrl,
            String desktopAppJoinUrl,
            String externalDisplayId,
            String title,
            List<CallUser> users,
            List<String> channels) {

        static SlackCall of(CallSnapshot call) {
            return new SlackCall(call.id(), call.dateStart(), call.dateEnd(), call.externalUniqueId(), call.joinUrl(),
                    call.desktopAppJoinUrl(), call.externalDisplayId(), call.title(), call.users(), call.channels());
        }
    }
}
