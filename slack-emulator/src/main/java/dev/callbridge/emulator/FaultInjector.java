package dev.callbridge.emulator;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Draws the fault of each request from {@link Faults}. Request n (counted from the last change of
 * settings or reset) draws a number that depends only on the seed and n, so a seed and a request
 * order fix the faults; a burst then answers the next requests of its workspace and method with 429.
 */
final class FaultInjector {

    /** The fault a request gets. */
    enum Fault { NONE, RATE_LIMIT_BURST, SERVER_ERROR, SLOW, DROP }

    /** A request's fault and the settings it was drawn under, for its delay and Retry-After. */
    record Decision(Fault fault, Faults settings) {}

    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentMap<BurstKey, Integer> burstsLeft = new ConcurrentHashMap<>();
    private volatile Faults settings;

    FaultInjector(Faults settings) {
        this.settings = settings;
    }

    Faults settings() {
        return settings;
    }

    /** Replaces the settings and restarts the sequence, so the new seed's faults start from request 0. */
    void settings(Faults newSettings) {
        settings = newSettings;
        restart();
    }

    void restart() {
        sequence.set(0);
        burstsLeft.clear();
    }

    Decision next(String teamId, ApiMethod method) {
        Faults current = settings;
        double draw = unitDraw(current.seed(), sequence.getAndIncrement());
        BurstKey key = new BurstKey(teamId, method);
        boolean[] inBurst = {false};
        burstsLeft.computeIfPresent(key, (k, left) -> {
            inBurst[0] = true;
            return left > 1 ? left - 1 : null;
        });
        if (inBurst[0]) {
            return new Decision(Fault.RATE_LIMIT_BURST, current);
        }
        double bound = current.rateLimitBurstRate();
        if (draw < bound) {
            if (current.rateLimitBurstLength() > 1) {
                burstsLeft.put(key, current.rateLimitBurstLength() - 1);
            }
            return new Decision(Fault.RATE_LIMIT_BURST, current);
        }
        bound += current.serverErrorRate();
        if (draw < bound) {
            return new Decision(Fault.SERVER_ERROR, current);
        }
        bound += current.slowRate();
        if (draw < bound) {
            return new Decision(Fault.SLOW, current);
        }
        bound += current.dropRate();
        return new Decision(draw < bound ? Fault.DROP : Fault.NONE, current);
    }

    /** SplitMix64 of (seed, n) as a double in [0, 1): a request's draw depends on its position only. */
    private static double unitDraw(long seed, long n) {
        long z = seed + (n + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    private record BurstKey(String teamId, ApiMethod method) {}
}
