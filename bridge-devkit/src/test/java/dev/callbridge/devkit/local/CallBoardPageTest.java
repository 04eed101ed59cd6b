package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callbridge.devkit.local.CallBoardPage.SlackView;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.emulator.PostedMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The call board shows calls as Slack would, with the bridge's replies in their threads, and nothing in
 * a call or a message can put markup or script on it.
 */
class CallBoardPageTest {

    private static final long START = 1_772_442_000L;
    private static final Instant NOW = Instant.ofEpochSecond(START + 65);
    private static final SlackView NOTHING = new SlackView(List.of(), List.of());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTROL_BLOCKS = """
            [{"type":"section","text":{"type":"mrkdwn","text":"End this call from Slack"}},
             {"type":"actions","block_id":"b1","elements":[{"type":"button","action_id":"bridge_end_call",
               "text":{"type":"plain_text","text":"End call"},"style":"danger","value":"6f1c2a9e",
               "confirm":{"title":{"type":"plain_text","text":"End this call?"},
                          "text":{"type":"plain_text","text":"The call is ended for everyone on it."},
                          "confirm":{"type":"plain_text","text":"End call"},"deny":{"type":"plain_text","text":"Keep it"}}}]}]
            """;
    private static final String BUTTON = "<button type=\"button\" class=\"end-call\" data-channel=\"C0CALLS\" "
            + "data-ts=\"1001.000002\" data-confirm=\"End this call?\n\nThe call is ended for everyone on it.\">End call</button>";

    @Test
    void aLiveCallShowsItsTitlePeopleAndTimeSoFar() {
        CallSnapshot call = live("R001", START, "Support line", List.of(
                CallUser.slackUser("U0MAYA"),
                new CallUser(null, "tel:+155501", "Priya Raman", "https://avatars.example/priya.png"),
                CallUser.external("tel:+155502", "Tom O'Brien")));

        String board = board(call);

        assertThat(board)
                .contains("1 live · 0 ended")
                .contains("<span class=\"badge live\">live</span>")
                .contains("<h2>Support line</h2>")
                .contains("<span class=\"clock\">1m 05s</span>")
                .contains(">MA</span>U0MAYA</li>")
                .contains("PR<img src=\"https://avatars.example/priya.png\" alt=\"\" loading=\"lazy\"></span>Priya Raman</li>")
                .contains(">TO</span>Tom O&#39;Brien</li>")
                .contains("<a href=\"https://meet.example/R001\"");
    }

    @Test
    void anEndedCallShowsHowLongItLastedAndNoJoinLink() {
        CallSnapshot call = ended(live("R001", START, "Incident bridge", List.of(CallUser.slackUser("U0OMAR"))), 3_725);

        String board = board(call);

        assertThat(board)
                .contains("0 live · 1 ended")
                .contains("<span class=\"badge ended\">ended</span>")
                .contains("<span class=\"clock\">lasted 1h 02m</span>")
                .doesNotContain(">Join</a>");
    }

    @Test
    void theNewestCallComesFirst() {
        String board = board(
                live("R001", START, "Oldest", List.of()),
                live("R003", START + 20, "Newest", List.of()),
                live("R002", START + 10, "Middle", List.of()));

        assertThat(board.indexOf("Newest")).isLessThan(board.indexOf("Middle"));
        assertThat(board.indexOf("Middle")).isLessThan(board.indexOf("Oldest"));
    }

    @Test
    void aDuplicateCallIsFlagged() {
        CallSnapshot first = live("R001", START, "Support line", List.of());
        CallSnapshot second = new CallSnapshot("R002", "T0TEST", "pbx-1", "R001", "Support line",
                "https://meet.example/R002", null, null, "U0HOST", START + 1, null, null, false, List.of(), List.of());

        assertThat(board(first, second))
                .contains("<span class=\"badge duplicate\">1 duplicate</span>")
                .contains("<span class=\"badge duplicate\">duplicate of R001</span>");
    }

    @Test
    void withoutCallsTheBoardSaysSo() {
        assertThat(board()).contains("0 live · 0 ended").contains("No calls in Slack yet");
    }

    @Test
    void textFromACallCannotAddMarkupOrScript() {
        CallSnapshot hostile = new CallSnapshot("R<1>", "T0TEST", "pbx-1", null,
                "<script>alert('title')</script>",
                "javascript:alert('join')", null, "\"><b>id</b>", "U0HOST", START, null, null, false,
                List.of(new CallUser(null, "x\"1", "\"><img src=x onerror=alert(1)>", "javascript:alert('avatar')"),
                        new CallUser(null, "x2", "Eve", "\" onload=\"alert(2)")),
                List.of("C0<i>"));

        String page = CallBoardPage.render(new SlackView(List.of(hostile), List.of()), NOW, null, true);

        assertThat(page)
                .contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;")
                .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
                .contains("&quot;&gt;&lt;b&gt;id&lt;/b&gt;")
                .contains("#C0&lt;i&gt;")
                .contains("R&lt;1&gt;")
                .doesNotContain("<b>", "<i>", "<img src=x", "javascript:", "onload=");
        assertThat(page.split("<script", -1)).as("only the page's own script").hasSize(2);
        assertThat(page.split("<img", -1)).as("no picture from a non-web address").hasSize(1);
    }

    @Test
    void thePageLinksToAddToSlackWhenTheBridgeIsAnApp() {
        assertThat(CallBoardPage.render(NOTHING, NOW, "http://localhost:8080/slack/install", true))
                .contains("<a href=\"http://localhost:8080/slack/install\">Add to Slack</a>");
        assertThat(CallBoardPage.render(NOTHING, NOW, null, true)).doesNotContain("Add to Slack");
    }

    @Test
    void theContentSecurityPolicyAllowsExactlyThePagesOwnStyleAndScript() throws Exception {
        String page = CallBoardPage.render(NOTHING, NOW, null, true);

        assertThat(CallBoardPage.CONTENT_SECURITY_POLICY)
                .contains("'" + sha256(between(page, "<style>", "</style>")) + "'")
                .contains("'" + sha256(between(page, "<script>", "</script>")) + "'")
                .doesNotContain("unsafe-inline");
    }

    @Test
    void aVoiceAiCallsThreadHasItsEndCallButtonWhileTheCallIsLive() {
        CallSnapshot call = live("R001", START, "Call with +14155550142", List.of());
        List<PostedMessage> thread = List.of(block("1001.000001", "R001"),
                reply("1001.000002", "1001.000001", "End this call from Slack", CONTROL_BLOCKS));

        assertThat(CallBoardPage.board(new SlackView(List.of(call), thread), NOW, true))
                .contains("<ul class=\"thread\"><li class=\"reply\"><p>End this call from Slack</p><p>" + BUTTON
                        + "</p></li></ul>");
        assertThat(CallBoardPage.board(new SlackView(List.of(call), thread), NOW, false))
                .as("a board that cannot click").contains("End this call from Slack").doesNotContain("<button");
        assertThat(CallBoardPage.board(new SlackView(List.of(ended(call, 30)), thread), NOW, true))
                .as("an ended call").doesNotContain("<button");
    }

    @Test
    void theControlOfACallEndedFromSlackSaysWhoEndedIt() {
        List<PostedMessage> thread = List.of(block("1001.000001", "R001"),
                reply("1001.000002", "1001.000001", "Call ended: Ended from Slack by <@U0DEMO>",
                        "[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\","
                                + "\"text\":\"Call ended: Ended from Slack by <@U0DEMO>\"}}]"));

        assertThat(CallBoardPage.board(new SlackView(List.of(ended(live("R001", START, "Call", List.of()), 42)), thread),
                NOW, true))
                .contains("<li class=\"reply\"><p>Call ended: Ended from Slack by <span class=\"mention\">@U0DEMO</span></p></li>");
    }

    @Test
    void theAnalysisShowsItsSummarySentimentAndLinks() {
        String blocks = """
                [{"type":"header","text":{"type":"plain_text","text":"Call analysis"}},
                 {"type":"section","text":{"type":"mrkdwn","text":"Bob's order arrived damaged &lt;again&gt; &amp; ships today."}},
                 {"type":"section","text":{"type":"mrkdwn","text":"*Sentiment:* Negative"}},
                 {"type":"section","text":{"type":"mrkdwn",
                   "text":"<https://media.example/rec.wav?a=1&amp;b=2|Recording>  ·  <https://media.example/tx.txt|Transcript>"}}]
                """;
        List<PostedMessage> thread = List.of(block("1001.000001", "R001"),
                reply("1001.000003", "1001.000001", "Call analysis (negative): Bob's order", blocks));

        assertThat(CallBoardPage.board(new SlackView(List.of(live("R001", START, "Call", List.of())), thread), NOW, true))
                .contains("<p class=\"title\">Call analysis</p>")
                .contains("<p>Bob&#39;s order arrived damaged &lt;again&gt; &amp; ships today.</p>")
                .contains("<p><strong>Sentiment:</strong> Negative</p>")
                .contains("<a href=\"https://media.example/rec.wav?a=1&amp;b=2\" rel=\"noopener noreferrer\" "
                        + "target=\"_blank\">Recording</a>  ·  <a href=\"https://media.example/tx.txt\"");
    }

    @Test
    void repliesShowUnderTheCallWhoseBlockTheyAnswer() {
        List<CallSnapshot> calls = List.of(live("R001", START, "First", List.of()), live("R002", START + 10, "Second", List.of()));
        List<PostedMessage> messages = List.of(block("1001.000001", "R001"), block("1001.000002", "R002"),
                reply("1001.000003", "1001.000001", "reply to the first", null),
                reply("1001.000004", "1001.000002", "reply to the second", null),
                reply("1001.000005", "1001.000009", "reply to some other message", null));

        String board = CallBoardPage.board(new SlackView(calls, messages), NOW, true);

        String second = board.substring(board.indexOf("Second"), board.indexOf("First"));
        String first = board.substring(board.indexOf("First"));
        assertThat(second).contains("reply to the second").doesNotContain("reply to the first");
        assertThat(first).contains("reply to the first").doesNotContain("reply to the second");
        assertThat(board).doesNotContain("some other message");
    }

    @Test
    void slackMarkupBecomesOnlyMentionsLinksToTheWebAndBold() {
        assertThat(CallBoardPage.mrkdwn("<javascript:alert(1)|click me> <https://x.example/\"onmouseover=\"alert(1)|x>"))
                .as("no link to a script, nor to an address that is not one").isEqualTo("click me x");
        assertThat(CallBoardPage.mrkdwn("&lt;script&gt;alert(1)&lt;/script&gt; <!channel> *loud* 2 * 3"))
                .isEqualTo("&lt;script&gt;alert(1)&lt;/script&gt; !channel <strong>loud</strong> 2 * 3");
        assertThat(CallBoardPage.mrkdwn("<@U0DEMO|<b>> & <mailto:a@example.com|mail>"))
                .doesNotContain("<b>", "mailto").contains("@U0DEMO");
    }

    @Test
    void initialsComeFromNamesOrSlackIds() {
        assertThat(CallBoardPage.initials(CallUser.slackUser("U0MAYA"))).isEqualTo("MA");
        assertThat(CallBoardPage.initials(CallUser.slackUser("W024BE7LH"))).isEqualTo("24");
        assertThat(CallBoardPage.initials(CallUser.external("x", "lucía fernández"))).isEqualTo("LF");
        assertThat(CallBoardPage.initials(CallUser.external("x", "Grace"))).isEqualTo("G");
        assertThat(CallBoardPage.initials(CallUser.external("x", "+1 555 0100"))).isEqualTo("10");
        assertThat(CallBoardPage.initials(CallUser.external("x", "--"))).isEqualTo("?");
    }

    @Test
    void durationsReadLikeAClock() {
        assertThat(CallBoardPage.duration(0)).isEqualTo("0s");
        assertThat(CallBoardPage.duration(59)).isEqualTo("59s");
        assertThat(CallBoardPage.duration(60)).isEqualTo("1m 00s");
        assertThat(CallBoardPage.duration(3_599)).isEqualTo("59m 59s");
        assertThat(CallBoardPage.duration(7_260)).isEqualTo("2h 01m");
    }

    private static String board(CallSnapshot... calls) {
        return CallBoardPage.board(new SlackView(List.of(calls), List.of()), NOW, true);
    }

    /** The bridge's call block of call {@code callId} in the calls channel. */
    private static PostedMessage block(String ts, String callId) {
        return new PostedMessage("T0TEST", "C0CALLS", ts, null, "U0BOT", "B0BOT", "A call",
                json("[{\"type\":\"call\",\"call_id\":\"" + callId + "\"}]"), null, List.of(callId), 0);
    }

    private static PostedMessage reply(String ts, String threadTs, String text, String blocks) {
        return new PostedMessage("T0TEST", "C0CALLS", ts, threadTs, "U0BOT", "B0BOT", text,
                blocks == null ? null : json(blocks), null, List.of(), 0);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static CallSnapshot live(String id, long dateStart, String title, List<CallUser> users) {
        return new CallSnapshot(id, "T0TEST", "pbx-" + id, null, title, "https://meet.example/" + id, null, "DEMO-1000",
                "U0HOST", dateStart, null, null, false, users, List.of("C0SUPPORT"));
    }

    private static CallSnapshot ended(CallSnapshot call, long duration) {
        return new CallSnapshot(call.id(), call.teamId(), call.externalUniqueId(), call.duplicateOf(), call.title(),
                call.joinUrl(), call.desktopAppJoinUrl(), call.externalDisplayId(), call.createdBy(), call.dateStart(),
                call.dateStart() + duration, duration, true, call.users(), call.channels());
    }

    private static String between(String text, String open, String close) {
        Matcher matcher = Pattern.compile(Pattern.quote(open) + "(.*?)" + Pattern.quote(close), Pattern.DOTALL).matcher(text);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private static String sha256(String text) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return "sha256-" + Base64.getEncoder().encodeToString(digest);
    }
}
