package dev.callbridge.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeldAddsTest {

    private final HeldAdds held = new HeldAdds();

    @Test
    void callsComeDueByEventTimeEarliestFirst() {
        held.hold("b", 2_000, 90_000, 11);
        held.hold("a", 1_000, 90_000, 10);

        assertThat(held.due(999, 0)).isEmpty();
        assertThat(held.due(2_000, 0)).extracting(HeldAdds.Held::call).containsExactly("a", "b");
        assertThat(held.size()).isZero();
    }

    @Test
    void callsComeDueByTheWallClockWhenTheEventTimeStandsStill() {
        held.hold("a", 5_000, 100, 10);
        held.hold("b", 6_000, 200, 11);

        assertThat(held.due(0, 150)).extracting(HeldAdds.Held::call).containsExactly("a");
        assertThat(held.contains("b")).isTrue();
        assertThat(held.due(0, 200)).singleElement().satisfies(b -> {
            assertThat(b.call()).isEqualTo("b");
            assertThat(b.timestamp()).isEqualTo(11);
        });
        // Each call comes due once, whichever of its deadlines it reaches first.
        assertThat(held.due(10_000, 10_000)).isEmpty();
    }

    @Test
    void aCallHeldAgainKeepsItsFirstDeadlines() {
        held.hold("a", 1_000, 100, 10);
        held.hold("a", 9_000, 900, 20);

        assertThat(held.due(1_000, 0)).singleElement().satisfies(a -> assertThat(a.timestamp()).isEqualTo(10));
    }

    @Test
    void aRemovedCallNeverComesDueEvenWhenHeldAfresh() {
        held.hold("a", 1_000, 100, 10);
        held.remove("a");
        assertThat(held.contains("a")).isFalse();
        held.hold("a", 3_000, 300, 30);

        assertThat(held.due(2_000, 200)).isEmpty();
        assertThat(held.due(3_000, 0)).singleElement().satisfies(a -> assertThat(a.timestamp()).isEqualTo(30));
    }

    @Test
    void clearForgetsEveryCall() {
        held.hold("a", 1_000, 100, 10);
        held.clear();

        assertThat(held.size()).isZero();
        assertThat(held.due(Long.MAX_VALUE, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void callsTakenByTheWallClockWhileTheEventTimeStandsStillDoNotPileUp() {
        for (int n = 0; n < 10_000; n++) {
            held.hold("call-" + n, Long.MAX_VALUE, n, n);
            assertThat(held.due(0, n)).hasSize(1);
        }

        assertThat(held.queued()).isLessThanOrEqualTo(2 * (HeldAdds.STALE_SLACK + 1));
    }
}
