package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static dev.callbridge.emulator.SlackSdk.addCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Injected faults as the SDK meets them, and their replay from a seed. */
class FaultInjectionTest {

    private static final Faults MIXED = Faults.none()
            .withSeed(42)
            .withRateLimitBursts(0.1, 2, 3)
            .withServerErrors(0.15)
            .withDrops(0.1, true);

    private static SlackEmulator emulator;
    private static MethodsClient methods;

    @BeforeAll
    static void startEmulator() {
        emulator = SlackSdk.startEmulator(RateLimits.unlimited());
        methods = SlackSdk.slack(emulator).methods(TOKEN);
    }

    @AfterAll
    static void stopEmulator() {
        emulator.stop();
    }

    @BeforeEach
    void resetEmulator() {
        emulator.client().faults(Faults.none());
        emulator.client().reset();
    }

    @Test
    void aSeedReplaysTheSameFaultsForTheSameRequests() {
        emulator.client().faults(MIXED);
        List<String> first = outcomes(80);

        emulator.client().reset();
        List<String> replay = outcomes(80);

        assertThat(replay).isEqualTo(first);
        assertThat(first).contains("ok", "429 after 3s", "503", "dropped");
    }

    @Test
    void anotherSeedGivesOtherFaults() {
        emulator.client().faults(MIXED);
        List<String> first = outcomes(80);

        emulator.client().faults(MIXED.withSeed(43));

        assertThat(outcomes(80)).isNotEqualTo(first);
    }

    @Test
    void aDroppedConnectionHasAppliedTheRequestByDefault() {
        emulator.client().faults(Faults.none().withDrops(1.0, true));

        assertThatThrownBy(() -> addCall(methods, "pbx-1")).isInstanceOf(IOException.class);

        assertThat(emulator.client().callsWithExternalId("pbx-1")).hasSize(1);
        assertThat(emulator.client().stats().of(ApiMethod.CALLS_ADD).dropped()).isEqualTo(1);
    }

    @Test
    void aConnectionDroppedBeforeApplyingLeavesNoTrace() {
        emulator.client().faults(Faults.none().withDrops(1.0, false));

        assertThatThrownBy(() -> addCall(methods, "pbx-1")).isInstanceOf(IOException.class);

        assertThat(emulator.client().calls()).isEmpty();
    }

    @Test
    void aServerErrorReachesTheSdkAsHttp503AndChangesNothing() {
        emulator.client().faults(Faults.none().withServerErrors(1.0));

        SlackApiException error = catchThrowableOfType(SlackApiException.class, () -> addCall(methods, "pbx-1"));

        assertThat(error.getResponse().code()).isEqualTo(503);
        assertThat(error.getError().getError()).isEqualTo("service_unavailable");
        assertThat(emulator.client().calls()).isEmpty();
    }

    @Test
    void aRateLimitBurstAnswers429WithItsRetryAfter() {
        emulator.client().faults(Faults.none().withRateLimitBursts(1.0, 3, 7));

        SlackApiException error = catchThrowableOfType(SlackApiException.class, () -> addCall(methods, "pbx-1"));

        assertThat(error.getResponse().code()).isEqualTo(429);
        assertThat(error.getResponse().header("Retry-After")).isEqualTo("7");
        assertThat(error.getError().getError()).isEqualTo("ratelimited");
        assertThat(emulator.client().stats().of(ApiMethod.CALLS_ADD).rateLimited()).isEqualTo(1);
    }

    @Test
    void aSlowAnswerOutlastsAShortTimeoutButTheCallIsMadeAnyway() {
        emulator.client().faults(Faults.none().withSlowAnswers(1.0, 1_500));
        MethodsClient impatient = SlackSdk.slack(emulator, 300).methods(TOKEN);

        assertThatThrownBy(() -> addCall(impatient, "pbx-1")).isInstanceOf(InterruptedIOException.class);

        assertThat(emulator.client().callsWithExternalId("pbx-1")).hasSize(1);
        assertThat(emulator.client().stats().of(ApiMethod.CALLS_ADD).delayed()).isEqualTo(1);
    }

    @Test
    void aSlowAnswerArrivesLate() throws Exception {
        emulator.client().faults(Faults.none().withSlowAnswers(1.0, 300));
        long start = System.nanoTime();

        assertThat(methods.authTest(r -> r).isOk()).isTrue();

        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
    }

    /** What each of {@code count} sequential {@code auth.test} requests met. */
    private static List<String> outcomes(int count) {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                outcomes.add(methods.authTest(r -> r).isOk() ? "ok" : "error");
            } catch (SlackApiException e) {
                String retryAfter = e.getResponse().header("Retry-After");
                outcomes.add(e.getResponse().code() + (retryAfter == null ? "" : " after " + retryAfter + "s"));
            } catch (IOException e) {
                outcomes.add("dropped");
            }
        }
        return outcomes;
    }
}
