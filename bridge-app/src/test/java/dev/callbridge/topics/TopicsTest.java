package dev.callbridge.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicsTest {

    private final Topics topics = Topics.withPrefix("p.", 4096);

    @Test
    void namesEveryTopicWithThePrefix() {
        assertThat(topics.names()).allMatch(name -> name.startsWith("p."))
                .contains("p.telephony.call-events", "p.slack.calls", "p.slack.call-ops.retry-5s",
                        "p.slack.call-ops.retry-30s", "p.slack.call-ops.retry-5m")
                .as("the Slack app's own topic is set up only for the app").doesNotContain("p.slack.installations");
        assertThat(topics.installations().name()).isEqualTo("p.slack.installations");
    }

    @Test
    void aWaitIsParkedInTheLongestTierItOutlasts() {
        assertThat(topics.parkingTierFor(Duration.ofSeconds(3)).topic()).isEqualTo("p.slack.call-ops.retry-5s");
        assertThat(topics.parkingTierFor(Duration.ofSeconds(5)).topic()).isEqualTo("p.slack.call-ops.retry-5s");
        assertThat(topics.parkingTierFor(Duration.ofSeconds(29)).topic()).isEqualTo("p.slack.call-ops.retry-5s");
        assertThat(topics.parkingTierFor(Duration.ofSeconds(35)).topic()).isEqualTo("p.slack.call-ops.retry-30s");
        assertThat(topics.parkingTierFor(Duration.ofMinutes(7)).topic()).isEqualTo("p.slack.call-ops.retry-5m");
    }
}
