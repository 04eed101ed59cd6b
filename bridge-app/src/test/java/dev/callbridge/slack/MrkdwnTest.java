package dev.callbridge.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MrkdwnTest {

    @Test
    void controlCharactersShowAsWrittenSoNothingMentionsTheChannelOrFakesALink() {
        assertThat(Mrkdwn.escape("<!channel> & <https://evil.example|your bank> *bold*"))
                .isEqualTo("&lt;!channel&gt; &amp; &lt;https://evil.example|your bank&gt; *bold*");
    }

    @Test
    void aLongTextIsCutWithinTheLimitWithoutSplittingAnEntityOrACharacter() {
        assertThat(Mrkdwn.within("ab&cd", 5)).isEqualTo("ab…");
        assertThat(Mrkdwn.within("ab&cd", 8)).isEqualTo("ab&amp;…");
        assertThat(Mrkdwn.within("ab&cd", 9)).isEqualTo("ab&amp;cd");
        assertThat(Mrkdwn.within("a😀b", 3)).isEqualTo("a…");
        assertThat(Mrkdwn.within("a😀", 3)).isEqualTo("a😀");
        assertThat(Mrkdwn.within("a😀bc", 4)).isEqualTo("a😀…");
    }

    @Test
    void onlyMentionsOfSlackUsersStayMentionsWhereThatIsAsked() {
        assertThat(Mrkdwn.escapeKeepingUserMentions("Ended from Slack by <@U0ALICE> & <!here> <@U0BOB|bob>"))
                .isEqualTo("Ended from Slack by <@U0ALICE> &amp; &lt;!here&gt; &lt;@U0BOB|bob&gt;");
    }

    @Test
    void aLinksUrlCannotEndTheLinkEarly() {
        assertThat(Mrkdwn.link("https://voice.example.com/tx?a=1&b=2|x>y", "Transcript <raw>"))
                .isEqualTo("<https://voice.example.com/tx?a=1&amp;b=2%7Cx%3Ey|Transcript &lt;raw&gt;>");
    }
}
