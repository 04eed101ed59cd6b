package dev.callbridge.devkit.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.slackapp.EndCallButton;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The call board's HTML: the calls the way Slack shows them, newest first, each with the replies in
 * its call block's thread. Pure functions of what Slack holds and the time, so the page is tested
 * without a server; every piece of call data goes through {@link #escape(String)}, Slack's markup
 * through {@link #mrkdwn(String)}, and links and pictures are only ever {@code http(s)} URLs.
 */
final class CallBoardPage {

    /** How often the page fetches a fresh board, which is also how often a live call's clock ticks. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    static final String BOARD_PATH = "/board";
    /** Where the page posts an End call click ({@code {"channel", "ts"}} of the button's message). */
    static final String END_CALL_PATH = "/end-call";

    private static final int AVATAR_COLOURS = 8;
    /** Slack's markup between angle brackets: mentions and links. */
    private static final Pattern SLACK_MARKUP = Pattern.compile("<([^<>]*)>");
    private static final Pattern BOLD = Pattern.compile("\\*([^*\n]+)\\*");

    private static final String STYLE = """
            :root { --ink: #1d1c1d; --muted: #616061; --line: #dddddd; --live: #007a5a; }
            * { box-sizing: border-box; }
            body { margin: 0; background: #f8f8f8; color: var(--ink);
              font: 15px/1.4 -apple-system, BlinkMacSystemFont, "Segoe UI", Lato, Helvetica, Arial, sans-serif; }
            header { display: flex; align-items: baseline; gap: 1rem; padding: .9rem 1.5rem; background: #3f0e40; color: #fff; }
            header h1 { margin: 0; font-size: 1.1rem; }
            header p { margin: 0; font-size: .8rem; opacity: .8; }
            body.offline header { background: #8f2d2d; }
            main { max-width: 52rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
            .totals { margin: .25rem 0 1rem; color: var(--muted); }
            .empty { padding: 3rem 0; color: var(--muted); text-align: center; }
            .call { margin-bottom: .75rem; padding: .8rem 1rem; background: #fff;
              border: 1px solid var(--line); border-left: 4px solid var(--live); border-radius: 8px; }
            .call.ended { border-left-color: #bbbbbb; }
            .call.ended .people { opacity: .6; }
            .head { display: flex; align-items: center; gap: .6rem; }
            .head h2 { flex: 1; margin: 0; font-size: 1rem; overflow-wrap: anywhere; }
            .badge { padding: .1rem .5rem; border-radius: 999px; font-size: .7rem; font-weight: 700;
              letter-spacing: .04em; text-transform: uppercase; white-space: nowrap; }
            .badge.live { background: #e3f4ee; color: var(--live); }
            .badge.ended { background: #eeeeee; color: var(--muted); }
            .badge.duplicate { background: #fde8e8; color: #a61b1b; }
            .clock { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
            .people { display: flex; flex-wrap: wrap; gap: .4rem .9rem; margin: .7rem 0 .5rem; padding: 0; list-style: none; }
            .people li { display: flex; align-items: center; gap: .4rem; font-size: .9rem; }
            .people .nobody { color: var(--muted); font-style: italic; }
            .avatar { position: relative; display: inline-flex; flex: none; align-items: center; justify-content: center;
              width: 28px; height: 28px; overflow: hidden; border-radius: 50%; color: #fff; font-size: .7rem; font-weight: 700; }
            .avatar img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
            .c0 { background: #e01e5a; } .c1 { background: #1264a3; } .c2 { background: #1f8a5f; } .c3 { background: #b5651d; }
            .c4 { background: #4a154b; } .c5 { background: #0b7285; } .c6 { background: #8e44ad; } .c7 { background: #c0392b; }
            .meta { margin: 0; color: var(--muted); font-size: .8rem; overflow-wrap: anywhere; }
            .meta a { color: #1264a3; font-weight: 700; }
            .thread { margin: .6rem 0 0; padding: 0 0 0 .8rem; border-left: 2px solid var(--line); list-style: none; }
            .reply { margin: .4rem 0; font-size: .85rem; overflow-wrap: anywhere; }
            .reply p { margin: .15rem 0; }
            .reply .title { font-weight: 700; }
            .reply a { color: #1264a3; }
            .mention { padding: 0 .15rem; border-radius: 3px; background: #e8f5fa; color: #1264a3; }
            .end-call { margin-top: .2rem; padding: .25rem .8rem; border: 0; border-radius: 4px; background: #e01e5a;
              color: #fff; font: inherit; font-weight: 700; cursor: pointer; }
            .end-call:disabled { opacity: .5; cursor: wait; }
            """;

    private static final String SCRIPT = """
            // A picture that does not load (say, offline) leaves the initials under it showing.
            document.addEventListener('error', (event) => {
              if (event.target instanceof HTMLImageElement) event.target.remove();
            }, true);
            document.addEventListener('DOMContentLoaded', () => {
              const board = document.getElementById('board');
              const status = document.getElementById('status');
              async function refresh() {
                try {
                  const response = await fetch('%s', { cache: 'no-store' });
                  if (!response.ok) throw new Error('HTTP ' + response.status);
                  board.innerHTML = await response.text();
                  document.body.classList.remove('offline');
                  status.textContent = 'as the Slack emulator holds them, refreshed every second';
                } catch (error) {
                  document.body.classList.add('offline');
                  status.textContent = 'cannot reach the board (' + error.message + '); showing the last state';
                } finally {
                  setTimeout(refresh, %d);
                }
              }
              setTimeout(refresh, %d);
            });
            // The End call buttons come and go with each refresh, so one listener serves them all.
            document.addEventListener('click', async (event) => {
              const button = event.target.closest('button.end-call');
              if (!button || !window.confirm(button.dataset.confirm)) return;
              button.disabled = true;
              try {
                const response = await fetch('%s', {
                  method: 'POST',
                  headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ channel: button.dataset.channel, ts: button.dataset.ts })
                });
                if (!response.ok) throw new Error(await response.text());
              } catch (error) {
                button.disabled = false;
                window.alert('The click did not reach the Slack app: ' + error.message);
              }
            });
            """.formatted(BOARD_PATH, REFRESH.toMillis(), REFRESH.toMillis(), END_CALL_PATH);

    /**
     * Allows exactly the page's own style and script, by hash: should escaping ever miss, an injected
     * script still would not run.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src '" + sha256(STYLE)
            + "'; script-src '" + sha256(SCRIPT) + "'; img-src http: https:; connect-src 'self'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private CallBoardPage() {}

    /**
     * What Slack holds, as the board shows it.
     *
     * @param calls every call, of every workspace
     * @param messages every message posted, replies included
     */
    record SlackView(List<CallSnapshot> calls, List<PostedMessage> messages) {

        SlackView {
            calls = List.copyOf(calls);
            messages = List.copyOf(messages);
        }

        /** The replies in the thread of each call's block, oldest first, by workspace and call id. */
        Map<String, List<PostedMessage>> threads() {
            Map<String, List<PostedMessage>> replies = messages.stream().filter(PostedMessage::isReply)
                    .collect(Collectors.groupingBy(reply -> reply.teamId() + "/" + reply.channel() + "/" + reply.threadTs()));
            Map<String, List<PostedMessage>> threads = new HashMap<>();
            for (PostedMessage message : messages) {
                if (!message.isReply()) {
                    List<PostedMessage> thread = replies.getOrDefault(
                            message.teamId() + "/" + message.channel() + "/" + message.ts(), List.of());
                    message.callIds().forEach(callId -> threads.putIfAbsent(message.teamId() + "/" + callId, thread));
                }
            }
            return threads;
        }
    }

    /**
     * The End call button of a message, as the bridge posts it in a call block's thread.
     *
     * @param blockId the {@code block_id} of the actions block the button is in
     * @param value the button's value: the call's id at the voice platform
     * @param confirm what the button's confirmation dialog asks
     */
    record EndCallControl(String blockId, String value, String confirm) {

        /** The message's End call button, if it has one. */
        static Optional<EndCallControl> of(PostedMessage message) {
            if (message.blocks() == null) {
                return Optional.empty();
            }
            for (JsonNode block : message.blocks()) {
                Optional<EndCallControl> control = in(block);
                if (control.isPresent()) {
                    return control;
                }
            }
            return Optional.empty();
        }

        /** The End call button of an actions block, if it has one. */
        static Optional<EndCallControl> in(JsonNode block) {
            if (!block.path("type").asText().equals("actions")) {
                return Optional.empty();
            }
            for (JsonNode element : block.path("elements")) {
                if (element.path("action_id").asText().equals(EndCallButton.ACTION_ID)) {
                    JsonNode dialog = element.path("confirm");
                    String confirm = (dialog.path("title").path("text").asText("End this call?") + "\n\n"
                            + dialog.path("text").path("text").asText("")).strip();
                    return Optional.of(new EndCallControl(block.path("block_id").asText(null),
                            element.path("value").asText(null), confirm));
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The whole page: the board as of {@code now}, with the style and the script that keeps it fresh,
     * and an "Add to Slack" link to {@code installUrl} unless it is {@code null}.
     */
    static String render(SlackView slack, Instant now, String installUrl, boolean canEndCalls) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Calls in Slack</title>
                <style>%s</style>
                <script>%s</script>
                </head>
                <body>
                <header><h1>Calls in Slack</h1><p id="status">as the Slack emulator holds them, refreshed every second</p>%s</header>
                <main id="board">%s</main>
                </body>
                </html>
                """.formatted(STYLE, SCRIPT, installUrl == null ? "" : "<p><a href=\"" + escape(installUrl)
                        + "\">Add to Slack</a>: install the demo app into another workspace; its calls appear here too</p>",
                        board(slack, now, canEndCalls));
    }

    /**
     * The part the page replaces on each refresh: the totals and one card per call, newest first, each
     * with its thread; a live call's End call control has a working button when {@code canEndCalls}.
     */
    static String board(SlackView slack, Instant now, boolean canEndCalls) {
        List<CallSnapshot> calls = slack.calls();
        Map<String, List<PostedMessage>> threads = slack.threads();
        StringBuilder html = new StringBuilder();
        long ended = calls.stream().filter(CallSnapshot::ended).count();
        long duplicates = calls.stream().filter(call -> call.duplicateOf() != null).count();
        html.append("<p class=\"totals\">").append(calls.size() - ended).append(" live · ").append(ended).append(" ended");
        if (duplicates > 0) {
            html.append(" · <span class=\"badge duplicate\">").append(duplicates).append(" duplicate</span>");
        }
        html.append("</p>\n");
        if (calls.isEmpty()) {
            html.append("<p class=\"empty\">No calls in Slack yet: they appear here as the bridge adds them.</p>\n");
        }
        calls.stream()
                .sorted(Comparator.comparingLong(CallSnapshot::dateStart).thenComparing(CallSnapshot::id).reversed())
                .forEach(call -> card(html, call, threads.getOrDefault(call.teamId() + "/" + call.id(), List.of()),
                        now, canEndCalls && !call.ended()));
        return html.toString();
    }

    private static void card(StringBuilder html, CallSnapshot call, List<PostedMessage> thread, Instant now,
            boolean canEnd) {
        String state = call.ended() ? "ended" : "live";
        html.append("<article class=\"call ").append(state).append("\">\n<div class=\"head\">")
                .append("<span class=\"badge ").append(state).append("\">").append(state).append("</span>");
        if (call.duplicateOf() != null) {
            html.append("<span class=\"badge duplicate\">duplicate of ").append(escape(call.duplicateOf())).append("</span>");
        }
        html.append("<h2>").append(escape(call.title() != null ? call.title() : "Untitled call")).append("</h2>")
                .append("<span class=\"clock\">").append(clock(call, now)).append("</span></div>\n");

        html.append("<ul class=\"people\">");
        if (call.users().isEmpty()) {
            html.append("<li class=\"nobody\">nobody on the call</li>");
        }
        call.users().forEach(user -> person(html, user));
        html.append("</ul>\n");

        List<String> meta = new ArrayList<>();
        meta.add(escape(call.id()));
        meta.add(escape(call.teamId()));
        if (call.externalDisplayId() != null) {
            meta.add(escape(call.externalDisplayId()));
        }
        call.channels().forEach(channel -> meta.add("#" + escape(channel)));
        if (call.createdBy() != null) {
            meta.add("started by " + escape(call.createdBy()));
        }
        if (!call.ended() && isWebUrl(call.joinUrl())) {
            meta.add("<a href=\"" + escape(call.joinUrl()) + "\" rel=\"noopener noreferrer\" target=\"_blank\">Join</a>");
        }
        html.append("<p class=\"meta\">").append(String.join(" · ", meta)).append("</p>\n");
        if (!thread.isEmpty()) {
            html.append("<ul class=\"thread\">");
            thread.forEach(reply -> reply(html, reply, canEnd));
            html.append("</ul>\n");
        }
        html.append("</article>\n");
    }

    /** A reply as Slack shows it: its blocks (the kinds the bridge posts), or its text when it has none. */
    private static void reply(StringBuilder html, PostedMessage reply, boolean canEnd) {
        html.append("<li class=\"reply\">");
        JsonNode blocks = reply.blocks();
        if (blocks == null || !blocks.isArray() || blocks.isEmpty()) {
            html.append("<p>").append(mrkdwn(reply.text() == null ? "" : reply.text())).append("</p>");
        } else {
            for (JsonNode block : blocks) {
                switch (block.path("type").asText()) {
                    case "header" -> html.append("<p class=\"title\">").append(text(block.path("text"))).append("</p>");
                    case "section" -> html.append("<p>").append(text(block.path("text"))).append("</p>");
                    case "actions" -> {
                        if (canEnd) {
                            EndCallControl.in(block).ifPresent(control -> html
                                    .append("<p><button type=\"button\" class=\"end-call\" data-channel=\"")
                                    .append(escape(reply.channel())).append("\" data-ts=\"").append(escape(reply.ts()))
                                    .append("\" data-confirm=\"").append(escape(control.confirm()))
                                    .append("\">End call</button></p>"));
                        }
                    }
                    default -> {
                        // The bridge posts no other kind of block.
                    }
                }
            }
        }
        html.append("</li>");
    }

    /** A text object of a block: Slack's markup for {@code mrkdwn}, as written for {@code plain_text}. */
    private static String text(JsonNode text) {
        String value = text.path("text").asText("");
        return text.path("type").asText().equals("mrkdwn") ? mrkdwn(value) : escape(value);
    }

    /**
     * Slack's {@code mrkdwn} as HTML: {@code &amp;}, {@code &lt;} and {@code &gt;} stand for what they
     * escape, {@code <@U123>} is a mention, {@code <url|label>} a link (only to a web address; anything
     * else shows its label), and {@code *text*} is bold. Everything else shows as written.
     */
    static String mrkdwn(String text) {
        StringBuilder html = new StringBuilder();
        Matcher markup = SLACK_MARKUP.matcher(text);
        int from = 0;
        while (markup.find()) {
            html.append(plainMrkdwn(text.substring(from, markup.start())));
            String inside = markup.group(1);
            int bar = inside.indexOf('|');
            String target = unescapeSlack(bar < 0 ? inside : inside.substring(0, bar));
            String label = bar < 0 ? target : unescapeSlack(inside.substring(bar + 1));
            if (target.startsWith("@")) {
                html.append("<span class=\"mention\">").append(escape(target)).append("</span>");
            } else if (isWebUrl(target)) {
                html.append("<a href=\"").append(escape(target)).append("\" rel=\"noopener noreferrer\" target=\"_blank\">")
                        .append(escape(label)).append("</a>");
            } else {
                html.append(escape(label));
            }
            from = markup.end();
        }
        return html.append(plainMrkdwn(text.substring(from))).toString();
    }

    private static String plainMrkdwn(String text) {
        return BOLD.matcher(escape(unescapeSlack(text))).replaceAll("<strong>$1</strong>");
    }

    private static String unescapeSlack(String text) {
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private static void person(StringBuilder html, CallUser user) {
        String key = user.slackId() != null ? "slack:" + user.slackId() : "external:" + user.externalId();
        html.append("<li><span class=\"avatar c").append(Math.floorMod(key.hashCode(), AVATAR_COLOURS))
                .append("\" aria-hidden=\"true\">").append(escape(initials(user)));
        // The picture lies over the initials, which show while it loads and if it never does.
        if (isWebUrl(user.avatarUrl())) {
            html.append("<img src=\"").append(escape(user.avatarUrl())).append("\" alt=\"\" loading=\"lazy\">");
        }
        html.append("</span>").append(escape(name(user))).append("</li>");
    }

    /** Slack would show a Slack user's profile name; the emulator knows only the id. */
    private static String name(CallUser user) {
        if (user.slackId() != null) {
            return user.slackId();
        }
        return user.displayName() != null ? user.displayName() : user.externalId();
    }

    /**
     * Up to two characters: for a Slack user id the start of what follows its {@code U} or {@code W}
     * and zeros, otherwise the first letters of the first and last words of the name.
     */
    static String initials(CallUser user) {
        if (user.slackId() != null) {
            String rest = user.slackId().substring(1).replaceFirst("^0+", "");
            return rest.isEmpty() ? "?" : rest.substring(0, Math.min(2, rest.length()));
        }
        List<String> firstLetters = new ArrayList<>();
        for (String word : name(user).trim().split("\\s+")) {
            word.codePoints().filter(Character::isLetterOrDigit).findFirst()
                    .ifPresent(letter -> firstLetters.add(Character.toString(letter)));
        }
        if (firstLetters.isEmpty()) {
            return "?";
        }
        String initials = firstLetters.size() == 1
                ? firstLetters.get(0)
                : firstLetters.get(0) + firstLetters.get(firstLetters.size() - 1);
        return initials.toUpperCase(Locale.ROOT);
    }

    private static String clock(CallSnapshot call, Instant now) {
        if (call.ended()) {
            return call.duration() != null ? "lasted " + duration(call.duration()) : "";
        }
        long elapsed = Duration.between(Instant.ofEpochSecond(call.dateStart()), now).toSeconds();
        return duration(Math.max(0, elapsed));
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }

    /** Text made safe for HTML content and for double- or single-quoted attribute values. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** Only web addresses become links or pictures: a {@code javascript:} or {@code data:} URL never does. */
    static boolean isWebUrl(String url) {
        if (url == null) {
            return false;
        }
        try {
            String scheme = new URI(url).getScheme();
            return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
