package dev.callbridge.emulator;

import static dev.callbridge.emulator.Installs.APP;
import static dev.callbridge.emulator.Installs.CLIENT_ID;
import static dev.callbridge.emulator.Installs.CLIENT_SECRET;
import static dev.callbridge.emulator.Installs.REDIRECT_URI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The installs' timing, on a clock the test moves: codes live ten minutes, access tokens their lifetime. */
class InstallationsTest {

    private static final Duration LIFETIME = Duration.ofHours(12);

    private final MovableClock clock = new MovableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final Tokens tokens = new Tokens(List.of(), clock);
    private final Installations installations = new Installations(List.of(APP.withTokenRotation(LIFETIME)), tokens,
            new EmulatorState(Set.of()), new EventsApi(EventsApi.DEFAULT_RETRY_DELAYS, EventsApi.SLACK_TIMEOUT, clock,
                    new SocketMode(List.of(), Map.of(), tokens, "127.0.0.1", 0, EventsApi.DEFAULT_RETRY_DELAYS,
                            EventsApi.SLACK_TIMEOUT, SocketMode.SLACK_DISCONNECT_GRACE, clock)),
            clock);

    @Test
    void aCodeCanBeExchangedForTenMinutes() {
        String early = code();
        String late = code();

        clock.advance(Installations.CODE_LIFETIME.minusSeconds(1));
        ApiAnswer inTime = exchange(early);
        clock.advance(Duration.ofSeconds(1));
        ApiAnswer tooLate = exchange(late);

        assertThat(inTime.isOk()).isTrue();
        assertThat(tooLate.error()).isEqualTo("invalid_code");
    }

    @Test
    void anAccessTokenWorksForItsLifetimeAndNotASecondLonger() {
        String token = (String) exchange(code()).body().get("access_token");

        clock.advance(LIFETIME.minusSeconds(1));
        TokenGrant stillGood = tokens.authenticate(token);
        clock.advance(Duration.ofSeconds(1));

        assertThat(stillGood.teamId()).isEqualTo("T0XYZ");
        assertThatThrownBy(() -> tokens.authenticate(token)).isInstanceOf(MethodError.class)
                .hasMessage("token_expired");
    }

    @Test
    void aRenewedTokensLifetimeStartsAtTheRenewal() {
        String refreshToken = (String) exchange(code()).body().get("refresh_token");
        clock.advance(Duration.ofHours(11));

        ApiAnswer renewed = installations.access(new ApiRequest(ApiMethod.OAUTH_V2_ACCESS, null, Map.of(
                "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET,
                "grant_type", "refresh_token", "refresh_token", refreshToken)));
        clock.advance(LIFETIME.minusSeconds(1));

        assertThat(renewed.body()).containsEntry("expires_in", LIFETIME.toSeconds());
        assertThat(tokens.authenticate((String) renewed.body().get("access_token")).teamId()).isEqualTo("T0XYZ");
    }

    private String code() {
        return installations.authorize(APP, "T0XYZ", null, Set.of(Scopes.CALLS_WRITE), REDIRECT_URI);
    }

    private ApiAnswer exchange(String code) {
        return installations.access(new ApiRequest(ApiMethod.OAUTH_V2_ACCESS, null, Map.of(
                "client_id", CLIENT_ID, "client_secret", CLIENT_SECRET, "code", code, "redirect_uri", REDIRECT_URI)));
    }

    /** A clock that stands still until the test moves it. */
    private static final class MovableClock extends Clock {

        private Instant now;

        MovableClock(Instant start) {
            now = start;
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
            throw new UnsupportedOperationException("the installs read instants only");
        }
    }
}
