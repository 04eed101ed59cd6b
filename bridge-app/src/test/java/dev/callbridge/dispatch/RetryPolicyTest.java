package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 8, 100);

    @Test
    void delaysDoubleBetweenHalfAndAllOfTheCeiling() {
        assertThat(policy.backoff(1, () -> 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(policy.backoff(1, () -> 0.999)).isBetween(Duration.ofMillis(990), Duration.ofSeconds(1));
        assertThat(policy.backoff(3, () -> 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(4, () -> 1.0)).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void delaysAreCappedAtTheMaximum() {
        assertThat(policy.backoff(10, () -> 1.0)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.backoff(200, () -> 1.0)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.backoff(200, () -> 0.0)).isEqualTo(Duration.ofSeconds(30));
    }
}
