package dev.callbridge.slackapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** OAuth states any instance can check: its own, unaltered, within ten minutes. */
class SignedStateTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    private static SignedState at(String secret, Instant now) {
        return new SignedState(secret, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aStateIssuedByOneInstanceIsAcceptedByAnotherWithTheSameSecret() {
        String state = at("client-secret", NOW).generateNewStateValue();

        assertThat(at("client-secret", NOW.plusSeconds(30)).isAvailableInDatabase(state)).isTrue();
        assertThat(at("client-secret", NOW).generateNewStateValue()).isNotEqualTo(state);
    }

    @Test
    void anExpiredAlteredForeignOrMalformedStateIsRefused() {
        String state = at("client-secret", NOW).generateNewStateValue();
        String[] parts = state.split("\\.");

        assertThat(at("client-secret", NOW.plus(Duration.ofMinutes(11))).isAvailableInDatabase(state)).isFalse();
        assertThat(at("client-secret", NOW).isAvailableInDatabase((Long.parseLong(parts[0]) + 3600) + "." + parts[1]
                + "." + parts[2])).as("a later expiry written in").isFalse();
        assertThat(at("another-secret", NOW).isAvailableInDatabase(state)).isFalse();
        assertThat(at("client-secret", NOW).isAvailableInDatabase("not-a-state")).isFalse();
        assertThat(at("client-secret", NOW).isAvailableInDatabase("x.y.z")).isFalse();
        assertThat(at("client-secret", NOW).isAvailableInDatabase(null)).isFalse();
    }
}
