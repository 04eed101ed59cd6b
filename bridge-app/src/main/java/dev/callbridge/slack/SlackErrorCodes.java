package dev.callbridge.slack;

import dev.callbridge.model.op.SlackMethod;
import java.util.Map;
import java.util.Set;

/**
 * What each Slack error code means for an operation: worth retrying, refused for good, or proof
 * that the operation's effect is already in place. One table over every code Slack documents for
 * the methods the bridge calls; a code not in it counts as terminal, so an unknown failure
 * dead-letters once instead of looping.
 */
public final class SlackErrorCodes {

    /** The bridge has no token for the operation's workspace; not a Slack code. */
    public static final String NO_TOKEN = "no_token_configured";
    /** The Slack app was uninstalled from the operation's workspace, or its bot token revoked; not a Slack code. */
    public static final String APP_UNINSTALLED = "app_uninstalled";
    /** A call block's thread too long to search to its end for a reply; not a Slack code. */
    public static final String THREAD_TOO_LONG = "thread_too_long";
    /** The workspace's installed token is being rotated; not a Slack code. */
    public static final String TOKEN_ROTATING = "token_rotating";

    /** How an error code is taken. */
    public enum Kind {
        /** Slack or the path to it failed for now; the same request may work later. */
        TRANSIENT,
        /** The request can never work as it is; retrying only wastes budget. */
        TERMINAL,
        /** The operation's effect already holds, so it counts as done (an idempotent reading). */
        ALREADY_DONE,
        /** The Slack call has ended: nothing more can be shown on it, whatever the method. */
        CALL_ENDED
    }

    private static final Map<String, Kind> BY_CODE = Map.ofEntries(
            // Slack's side is failing or busy; documented as "try again".
            Map.entry("ratelimited", Kind.TRANSIENT),
            Map.entry("service_unavailable", Kind.TRANSIENT),
            Map.entry("internal_error", Kind.TRANSIENT),
            Map.entry("fatal_error", Kind.TRANSIENT),
            Map.entry("request_timeout", Kind.TRANSIENT),
            // Workspace migrations make the API intermittently unavailable until they finish.
            Map.entry("team_added_to_org", Kind.TRANSIENT),
            Map.entry(TOKEN_ROTATING, Kind.TRANSIENT),
            Map.entry("org_login_required", Kind.TRANSIENT),
            // Authentication and authorisation: an operator must act (new token, scopes, membership).
            Map.entry("not_authed", Kind.TERMINAL),
            Map.entry("invalid_auth", Kind.TERMINAL),
            Map.entry("account_inactive", Kind.TERMINAL),
            Map.entry("token_revoked", Kind.TERMINAL),
            Map.entry("token_expired", Kind.TERMINAL),
            Map.entry("no_permission", Kind.TERMINAL),
            Map.entry("missing_scope", Kind.TERMINAL),
            Map.entry("not_allowed_token_type", Kind.TERMINAL),
            Map.entry("team_access_not_granted", Kind.TERMINAL),
            Map.entry("access_denied", Kind.TERMINAL),
            Map.entry("accesslimited", Kind.TERMINAL),
            Map.entry("ekm_access_denied", Kind.TERMINAL),
            Map.entry("enterprise_is_restricted", Kind.TERMINAL),
            Map.entry("two_factor_setup_required", Kind.TERMINAL),
            Map.entry("not_authorized", Kind.TERMINAL),
            Map.entry(NO_TOKEN, Kind.TERMINAL),
            Map.entry(APP_UNINSTALLED, Kind.TERMINAL),
            Map.entry(THREAD_TOO_LONG, Kind.TERMINAL),
            // The request itself is wrong; it will be wrong next time too.
            Map.entry("invalid_arguments", Kind.TERMINAL),
            Map.entry("invalid_arg_name", Kind.TERMINAL),
            Map.entry("invalid_array_arg", Kind.TERMINAL),
            Map.entry("invalid_charset", Kind.TERMINAL),
            Map.entry("invalid_form_data", Kind.TERMINAL),
            Map.entry("invalid_post_type", Kind.TERMINAL),
            Map.entry("missing_post_type", Kind.TERMINAL),
            Map.entry("invalid_call_id", Kind.TERMINAL),
            Map.entry("invalid_created_by", Kind.TERMINAL),
            Map.entry("invalid_start_time", Kind.TERMINAL),
            Map.entry("user_not_found", Kind.TERMINAL),
            Map.entry("deprecated_endpoint", Kind.TERMINAL),
            Map.entry("method_deprecated", Kind.TERMINAL),
            Map.entry("not_implemented", Kind.TERMINAL),
            // chat.postMessage.
            Map.entry("channel_not_found", Kind.TERMINAL),
            Map.entry("not_in_channel", Kind.TERMINAL),
            Map.entry("is_archived", Kind.TERMINAL),
            Map.entry("invalid_blocks", Kind.TERMINAL),
            Map.entry("msg_too_long", Kind.TERMINAL),
            Map.entry("restricted_action", Kind.TERMINAL),
            Map.entry("no_text", Kind.TERMINAL),
            Map.entry("too_many_attachments", Kind.TERMINAL),
            Map.entry("invalid_metadata_format", Kind.TERMINAL),
            Map.entry("invalid_metadata_schema", Kind.TERMINAL),
            Map.entry("metadata_too_large", Kind.TERMINAL),
            // A reply whose thread is gone (the call block was deleted), and conversations.replies alike.
            Map.entry("thread_not_found", Kind.TERMINAL),
            // chat.update: the message is gone, or not the bridge's to change.
            Map.entry("message_not_found", Kind.TERMINAL),
            Map.entry("cant_update_message", Kind.TERMINAL),
            Map.entry("edit_window_closed", Kind.TERMINAL),
            // conversations.replies.
            Map.entry("invalid_cursor", Kind.TERMINAL),
            // Codes whose meaning depends on the method; see kind().
            Map.entry("inactive_call", Kind.TERMINAL),
            Map.entry("bad_users", Kind.TERMINAL));

    private static final Set<SlackMethod> PARTICIPANT_METHODS =
            Set.of(SlackMethod.CALLS_PARTICIPANTS_ADD, SlackMethod.CALLS_PARTICIPANTS_REMOVE);

    private SlackErrorCodes() {}

    public static Kind kind(SlackMethod method, String code) {
        // Any method on an ended call: the call is over in Slack, which for calls.end is what it was for.
        if ("inactive_call".equals(code)) {
            return Kind.CALL_ENDED;
        }
        // Adding someone already on the call, or removing someone already gone, is already so.
        if (PARTICIPANT_METHODS.contains(method) && "bad_users".equals(code)) {
            return Kind.ALREADY_DONE;
        }
        return BY_CODE.getOrDefault(code, Kind.TERMINAL);
    }

    /** Whether the code is in the table; unknown codes are logged so the table can grow. */
    public static boolean isKnown(String code) {
        return BY_CODE.containsKey(code);
    }
}
