package dev.callbridge.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.offset;

import dev.callbridge.emulator.FaultInjector.Fault;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How faults are drawn: shares of one draw per request, bursts per workspace and method. */
class FaultInjectorTest {

    @Test
    void aBurstAnswersTheNextRequestsOfItsOwnWorkspaceAndMethod() {
        FaultInjector injector = new FaultInjector(Faults.none().withSeed(7).withRateLimitBursts(0.1, 4, 1));
        List<Fault> a = new ArrayList<>();
        List<Fault> b = new ArrayList<>();

        for (int i = 0; i < 300; i++) {
            a.add(injector.next("T1", ApiMethod.CALLS_ADD).fault());
            b.add(injector.next("T1", ApiMethod.CALLS_END).fault());
        }

        assertThat(burstLengths(a)).isNotEmpty().allSatisfy(length -> assertThat(length).isGreaterThanOrEqualTo(4));
        assertThat(burstLengths(b)).isNotEmpty().allSatisfy(length -> assertThat(length).isGreaterThanOrEqualTo(4));
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void faultsTakeTheirShareOfRequests() {
        FaultInjector injector = new FaultInjector(Faults.none().withSeed(1)
                .withServerErrors(0.2).withSlowAnswers(0.1, 10).withDrops(0.3, true));
        List<Fault> faults = new ArrayList<>();

        for (int i = 0; i < 10_000; i++) {
            faults.add(injector.next("T1", ApiMethod.AUTH_TEST).fault());
        }

        assertThat(share(faults, Fault.SERVER_ERROR)).isCloseTo(0.2, offset(0.02));
        assertThat(share(faults, Fault.SLOW)).isCloseTo(0.1, offset(0.02));
        assertThat(share(faults, Fault.DROP)).isCloseTo(0.3, offset(0.02));
        assertThat(share(faults, Fault.RATE_LIMIT_BURST)).isZero();
    }

    @Test
    void newSettingsRestartTheSequence() {
        Faults faults = Faults.none().withSeed(3).withServerErrors(0.5);
        FaultInjector injector = new FaultInjector(faults);
        List<Fault> first = draw(injector, 50);

        injector.settings(faults);

        assertThat(draw(injector, 50)).isEqualTo(first);
    }

    @Test
    void settingsOutsideTheirRangeAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Faults.none().withServerErrors(0.6).withDrops(0.5, true))
                .withMessageContaining("add up to more than 1");
        assertThatIllegalArgumentException().isThrownBy(() -> Faults.none().withServerErrors(-0.1))
                .withMessageContaining("server_error_rate");
        assertThatIllegalArgumentException().isThrownBy(() -> Faults.none().withRateLimitBursts(0.1, 0, 1))
                .withMessageContaining("rate_limit_burst_length");
    }

    private static List<Fault> draw(FaultInjector injector, int count) {
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            faults.add(injector.next("T1", ApiMethod.AUTH_TEST).fault());
        }
        return faults;
    }

    private static double share(List<Fault> faults, Fault fault) {
        return faults.stream().filter(f -> f == fault).count() / (double) faults.size();
    }

    private static List<Integer> burstLengths(List<Fault> faults) {
        List<Integer> lengths = new ArrayList<>();
        int run = 0;
        for (Fault fault : faults) {
            if (fault == Fault.RATE_LIMIT_BURST) {
                run++;
            } else if (run > 0) {
                lengths.add(run);
                run = 0;
            }
        }
        return lengths;
    }
}
