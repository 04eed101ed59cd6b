package dev.callbridge.slack;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text for Slack's {@code mrkdwn}, where {@code &}, {@code <} and {@code >} are control characters: a
 * provider's text is escaped so it shows as written and cannot mention {@code @channel} or fake a link.
 */
final class Mrkdwn {

    /** A mention of one Slack user, {@code <@U123ABC>}: the only markup let through, and only where asked. */
    private static final Pattern USER_MENTION = Pattern.compile("<@[UW][A-Z0-9]{1,20}>");
    private static final String ELLIPSIS = "…";

    private Mrkdwn() {}

    /** {@code text} shown as written. */
    static String escape(String text) {
        return within(text, Integer.MAX_VALUE);
    }

    /**
     * {@code text} shown as written, cut (with an ellipsis) so that its escaped form is at most
     * {@code limit} characters; an entity or a character is never split.
     */
    static String within(String text, int limit) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int codePoint = text.codePointAt(i);
            String piece = switch (codePoint) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                default -> new String(Character.toChars(codePoint));
            };
            int next = i + Character.charCount(codePoint);
            int room = next < text.length() ? limit - ELLIPSIS.length() : limit;
            if (out.length() + piece.length() > room) {
                return out.append(ELLIPSIS).toString();
            }
            out.append(piece);
            i = next;
        }
        return out.toString();
    }

    /** {@code text} shown as written, except that mentions of Slack users ({@code <@U123>}) stay mentions. */
    static String escapeKeepingUserMentions(String text) {
        StringBuilder out = new StringBuilder();
        Matcher mention = USER_MENTION.matcher(text);
        int from = 0;
        while (mention.find()) {
            out.append(escape(text.substring(from, mention.start()))).append(mention.group());
            from = mention.end();
        }
        return out.append(escape(text.substring(from))).toString();
    }

    /**
     * A link to {@code url} reading {@code label}. In the URL, {@code &} is written as an entity and the
     * characters that would end the link ({@code <}, {@code >}, {@code |}) are percent-encoded.
     */
    static String link(String url, String label) {
        String target = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C");
        return "<" + target + "|" + escape(label) + ">";
    }
}
