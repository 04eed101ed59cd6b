package dev.callbridge.devkit.local;

import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
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
import java.util.List;
import java.util.Locale;

/**
 * The call board's HTML: the calls the way Slack shows them, newest first. Pure functions of the
 * calls and the time, so the page is tested without a server; every piece of call data goes
 * through {@link #escape(String)}, and links and pictures are only ever {@code http(s)} URLs.
 */
final class CallBoardPage {

    /** How often the page fetches a fresh board, which is also how often a live call's clock ticks. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    static final String BOARD_PATH = "/board";

    private static final int AVATAR_COLOURS = 8;

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
            """.formatted(BOARD_PATH, REFRESH.toMillis(), REFRESH.toMillis());

    /**
     * Allows exactly the page's own style and script, by hash: should escaping ever miss, an injected
     * script still would not run.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src '" + sha256(STYLE)
            + "'; script-src '" + sha256(SCRIPT) + "'; img-src http: https:; connect-src 'self'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private CallBoardPage() {}

    /**
     * The whole page: the board as of {@code now}, with the style and the script that keeps it fresh,
     * and an "Add to Slack" link to {@code installUrl} unless it is {@code null}.
     */
    static String render(List<CallSnapshot> calls, Instant now, String installUrl) {
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
                        board(calls, now));
    }

    /** The part the page replaces on each refresh: the totals and one card per call, newest first. */
    static String board(List<CallSnapshot> calls, Instant now) {
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
                .forEach(call -> card(html, call, now));
        return html.toString();
    }

    private static void card(StringBuilder html, CallSnapshot call, Instant now) {
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
        html.append("<p class=\"meta\">").append(String.join(" · ", meta)).append("</p>\n</article>\n");
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
