package dev.callbridge.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {

    private final MovingClock clock = new MovingClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final StreamThreadFailures failures = new StreamThreadFailures(clock);
    private final RuntimeException sameRecordAgain = new RecordTooLargeException("the same record, again");

    @Test
    void aThreadThatFailsNowAndThenIsReplacedAndTheBridgeStaysHealthy() {
        failures.failed(sameRecordAgain);
        clock.advance(Duration.ofMinutes(6));
        failures.failed(sameRecordAgain);
        clock.advance(Duration.ofMinutes(6));
        failures.failed(sameRecordAgain);

        assertThat(failures.healthy()).isTrue();
    }

    @Test
    void threadsThatKeepFailingMakeTheBridgeUnhealthy() {
        assertThat(failures.healthy()).isTrue();
        failures.failed(sameRecordAgain);
        clock.advance(Duration.ofSeconds(50));
        failures.failed(sameRecordAgain);
        assertThat(failures.healthy()).isTrue();

        clock.advance(Duration.ofSeconds(50));
        failures.failed(sameRecordAgain);

        assertThat(failures.healthy()).isFalse();
    }

    @Test
    void theBridgeIsHealthyAgainOnceTheFailuresStopForAWindow() {
        for (int i = 0; i < StreamThreadFailures.THRESHOLD; i++) {
            failures.failed(sameRecordAgain);
        }
        assertThat(failures.healthy()).isFalse();

        clock.advance(StreamThreadFailures.WINDOW.minusSeconds(1));
        assertThat(failures.healthy()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(failures.healthy()).isTrue();
    }

    /** A clock the test moves by hand. */
    private static final class MovingClock extends Clock {

        private Instant now;

        MovingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
