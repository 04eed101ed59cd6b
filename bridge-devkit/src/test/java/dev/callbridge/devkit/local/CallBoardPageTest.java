package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The call board shows calls as Slack would, and nothing in a call can put markup or script on it. */
class CallBoardPageTest {

    private static final long START = 1_772_442_000L;
    private static final Instant NOW = Instant.ofEpochSecond(START + 65);

    @Test
    void aLiveCallShowsItsTitlePeopleAndTimeSoFar() {
        CallSnapshot call = live("R001", START, "Support line", List.of(
                CallUser.slackUser("U0MAYA"),
                new CallUser(null, "tel:+155501", "Priya Raman", "https://avatars.example/priya.png"),
                CallUser.external("tel:+155502", "Tom O'Brien")));

        String board = CallBoardPage.board(List.of(call), NOW);

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

        String board = CallBoardPage.board(List.of(call), NOW);

        assertThat(board)
                .contains("0 live · 1 ended")
                .contains("<span class=\"badge ended\">ended</span>")
                .contains("<span class=\"clock\">lasted 1h 02m</span>")
                .doesNotContain(">Join</a>");
    }

    @Test
    void theNewestCallComesFirst() {
        String board = CallBoardPage.board(List.of(
                live("R001", START, "Oldest", List.of()),
                live("R003", START + 20, "Newest", List.of()),
                live("R002", START + 10, "Middle", List.of())), NOW);

        assertThat(board.indexOf("Newest")).isLessThan(board.indexOf("Middle"));
        assertThat(board.indexOf("Middle")).isLessThan(board.indexOf("Oldest"));
    }

    @Test
    void aDuplicateCallIsFlagged() {
        CallSnapshot first = live("R001", START, "Support line", List.of());
        CallSnapshot second = new CallSnapshot("R002", "T0TEST", "pbx-1", "R001", "Support line",
                "https://meet.example/R002", null, null, "U0HOST", START + 1, null, null, false, List.of(), List.of());

        assertThat(CallBoardPage.board(List.of(first, second), NOW))
                .contains("<span class=\"badge duplicate\">1 duplicate</span>")
                .contains("<span class=\"badge duplicate\">duplicate of R001</span>");
    }

    @Test
    void withoutCallsTheBoardSaysSo() {
        assertThat(CallBoardPage.board(List.of(), NOW)).contains("0 live · 0 ended").contains("No calls in Slack yet");
    }

    @Test
    void textFromACallCannotAddMarkupOrScript() {
        CallSnapshot hostile = new CallSnapshot("R<1>", "T0TEST", "pbx-1", null,
                "<script>alert('title')</script>",
                "javascript:alert('join')", null, "\"><b>id</b>", "U0HOST", START, null, null, false,
                List.of(new CallUser(null, "x\"1", "\"><img src=x onerror=alert(1)>", "javascript:alert('avatar')"),
                        new CallUser(null, "x2", "Eve", "\" onload=\"alert(2)")),
                List.of("C0<i>"));

        String page = CallBoardPage.render(List.of(hostile), NOW, null);

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
        assertThat(CallBoardPage.render(List.of(), NOW, "http://localhost:8080/slack/install"))
                .contains("<a href=\"http://localhost:8080/slack/install\">Add to Slack</a>");
        assertThat(CallBoardPage.render(List.of(), NOW, null)).doesNotContain("Add to Slack");
    }

    @Test
    void theContentSecurityPolicyAllowsExactlyThePagesOwnStyleAndScript() throws Exception {
        String page = CallBoardPage.render(List.of(), NOW, null);

        assertThat(CallBoardPage.CONTENT_SECURITY_POLICY)
                .contains("'" + sha256(between(page, "<style>", "</style>")) + "'")
                .contains("'" + sha256(between(page, "<script>", "</script>")) + "'")
                .doesNotContain("unsafe-inline");
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
