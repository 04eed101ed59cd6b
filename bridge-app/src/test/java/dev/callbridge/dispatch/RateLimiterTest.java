package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.op.SlackMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    private final RateLimiter limiter = new RateLimiter(
            Map.of(SlackMethod.CALLS_ADD, new Budget(60, 1), SlackMethod.CALLS_END, new Budget(60, 3)),
            new Budget(20, 1));

    @Test
    void slotsAreSpacedEvenlyAtTheBudgetsPace() {
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_ADD, T0)).isEqualTo(T0);
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_ADD, T0)).isEqualTo(T0.plusSeconds(1));
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_ADD, T0)).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void aQuietBucketLetsABurstThrough() {
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_END, T0)).isEqualTo(T0);
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_END, T0)).isEqualTo(T0);
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_END, T0)).isEqualTo(T0);
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_END, T0)).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void aBucketRefillsWithTime() {
        limiter.reserve("T1", SlackMethod.CALLS_ADD, T0);
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_ADD, T0.plusSeconds(5))).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void workspacesAndMethodsHaveTheirOwnBuckets() {
        limiter.reserve("T1", SlackMethod.CALLS_ADD, T0);
        assertThat(limiter.reserve("T2", SlackMethod.CALLS_ADD, T0)).isEqualTo(T0);
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_UPDATE, T0)).isEqualTo(T0);
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_UPDATE, T0)).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void afterA429TheBucketStaysShutUntilRetryAfterHasPassed() {
        limiter.reserve("T1", SlackMethod.CALLS_END, T0);
        limiter.holdUntil("T1", SlackMethod.CALLS_END, T0.plusSeconds(30));

        assertThat(limiter.isOpen("T1", SlackMethod.CALLS_END, T0.plusSeconds(29))).isFalse();
        assertThat(limiter.isOpen("T1", SlackMethod.CALLS_END, T0.plusSeconds(30))).isTrue();
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_END, T0.plusSeconds(1))).isEqualTo(T0.plusSeconds(30));
        assertThat(limiter.reserve("T1", SlackMethod.CALLS_END, T0.plusSeconds(1)))
                .as("no burst right after a hold").isEqualTo(T0.plusSeconds(31));
    }

    @Test
    void bucketsMadeAtAHandOverStartEmptySoThePreviousOwnersLastRequestsAreNotFollowedByABurst() {
        RateLimiter handedOver = RateLimiter.emptySince(
                Map.of(SlackMethod.CALLS_END, new Budget(60, 3)), new Budget(20, 1), team -> team, T0);

        assertThat(handedOver.reserve("T1", SlackMethod.CALLS_END, T0)).as("one interval after the hand-over")
                .isEqualTo(T0.plusSeconds(1));
        assertThat(handedOver.reserve("T1", SlackMethod.CALLS_END, T0)).isEqualTo(T0.plusSeconds(2));
        assertThat(handedOver.reserve("T1", SlackMethod.CALLS_END, T0)).isEqualTo(T0.plusSeconds(3));
        assertThat(handedOver.id()).isNotEqualTo(limiter.id());
    }

    @Test
    void aBucketMadeAtAHandOverEarnsItsBurstOnlyFromThen() {
        RateLimiter handedOver = RateLimiter.emptySince(
                Map.of(SlackMethod.CALLS_END, new Budget(60, 3)), new Budget(20, 1), team -> team, T0);
        Instant later = T0.plusSeconds(10);

        // First used long after the hand-over: what it earned since is its own to spend.
        assertThat(handedOver.reserve("T2", SlackMethod.CALLS_END, later)).isEqualTo(later);
        assertThat(handedOver.reserve("T2", SlackMethod.CALLS_END, later)).isEqualTo(later);
        assertThat(handedOver.reserve("T2", SlackMethod.CALLS_END, later)).isEqualTo(later);
        assertThat(handedOver.reserve("T2", SlackMethod.CALLS_END, later)).isEqualTo(later.plusSeconds(1));
        // Two seconds after the hand-over a quiet workspace has earned two of its three.
        assertThat(handedOver.reserve("T3", SlackMethod.CALLS_END, T0.plusSeconds(2))).isEqualTo(T0.plusSeconds(2));
        assertThat(handedOver.reserve("T3", SlackMethod.CALLS_END, T0.plusSeconds(2))).isEqualTo(T0.plusSeconds(2));
        assertThat(handedOver.reserve("T3", SlackMethod.CALLS_END, T0.plusSeconds(2))).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void everySpellingOfAWorkspaceSharesItsBuckets() {
        RateLimiter handedOver = RateLimiter.emptySince(Map.of(), new Budget(60, 1),
                new dev.callbridge.topics.WorkspacePartitioner("T0DEFAULT")::workspace, T0);

        assertThat(handedOver.reserve(null, SlackMethod.CALLS_ADD, T0)).isEqualTo(T0.plusSeconds(1));
        assertThat(handedOver.reserve("t0default", SlackMethod.CALLS_ADD, T0)).isEqualTo(T0.plusSeconds(2));
        assertThat(handedOver.reserve("T0DEFAULT", SlackMethod.CALLS_ADD, T0)).isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void overASustainedOverloadTheBudgetIsNeverExceeded() {
        Instant now = T0;
        int inFirstMinute = 0;
        for (int i = 0; i < 600; i++) {
            Instant slot = limiter.reserve("T1", SlackMethod.CALLS_ADD, now);
            if (slot.isBefore(T0.plus(Duration.ofMinutes(1)))) {
                inFirstMinute++;
            }
            now = now.plusMillis(100);
        }
        assertThat(inFirstMinute).isEqualTo(60);
    }
}
