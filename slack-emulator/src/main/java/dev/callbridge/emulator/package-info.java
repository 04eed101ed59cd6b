/**
 * A Slack Web API emulator for the Calls API, {@code chat.postMessage} (with {@code thread_ts} and
 * {@code metadata}), {@code chat.update}, {@code conversations.replies} and {@code auth.test}, and for
 * installable Slack apps (OAuth v2 with token rotation, {@code auth.revoke}, the Events API), for
 * tests, the local demo and users' staging ({@link dev.callbridge.emulator.SlackEmulator}, or
 * {@link dev.callbridge.emulator.SlackEmulatorCommand} on its own).
 *
 * <p>Where Slack's documentation is silent the emulator takes the stricter reading, so that it shows
 * a bridge bug rather than hide it:
 * <ul>
 *   <li>{@code calls.update}, {@code calls.participants.add} and {@code .remove} on an ended call
 *       answer {@code inactive_call}, like {@code calls.end}; {@code calls.info} still answers, with
 *       {@code date_end}. Errors are {@code "ok": false}, also {@code inactive_call} (one page shows it
 *       beside {@code "ok": true}).
 *   <li>{@code calls.add} repeating an {@code external_unique_id} gets a new call id and is counted
 *       as a duplicate; call ids are never reused, not even after a reset.
 *   <li>{@code calls.add} with a bot token needs {@code created_by} ({@code invalid_arguments}
 *       without it, {@code invalid_created_by} for an unknown user); a user token defaults it.
 *   <li>A participants change is all or nothing: one user already on the call (add), not on it
 *       (remove), listed twice, or an empty {@code users} fails the whole request with
 *       {@code bad_users}. A malformed {@code users} is {@code bad_users} for every method, and an
 *       unknown Slack user in it {@code user_not_found}.
 *   <li>{@code date_start} below 0 or more than a day ahead is {@code invalid_start_time}.
 *   <li>A reply's {@code thread_ts} must name a message of the same workspace and channel
 *       ({@code thread_not_found} otherwise); a reply to a reply joins its parent's thread.
 *   <li>{@code chat.update} changes only messages its token's user posted ({@code cant_update_message});
 *       there is no edit window for apps. Without {@code blocks} the blocks stay; {@code []} removes them.
 *   <li>{@code conversations.replies} lists the parent first on its first page only, and
 *       {@code metadata} only with {@code include_all_metadata}; it needs {@code channels:history}
 *       (the emulator's channels are all public) and the app in the channel.
 *   <li>{@code calls.end} with a {@code duration} ends the call at start + duration.
 *   <li>A token inside a JSON body is ignored, as by Slack; JSON bodies authenticate by header.
 *   <li>Injected 429s and 503s are not applied; a slow answer is applied at once; a dropped
 *       connection is applied first unless configured otherwise.
 *   <li>The authorize page needs a {@code redirect_uri} (the emulated apps have none configured to
 *       fall back on), and {@code oauth.v2.access} the same one, to the letter; a code is refused
 *       when another app presents it, and a refused {@code redirect_uri} leaves it usable.
 *   <li>A click is sent once, not retried, as Slack shows the user an error instead; a message to
 *       its response URL that replaces or deletes the original is recorded, not applied to the
 *       emulator's messages.
 *   <li>{@code oauth.v2.access} is neither rate-limited nor given faults: the app calls it with its
 *       client credentials, so there is no workspace to count it against.
 * </ul>
 */
package dev.callbridge.emulator;
