package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.CpuUse;
import dev.callbridge.devkit.bench.BenchReport.Progress;
import dev.callbridge.devkit.bench.BenchReport.SlackRun;
import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.MethodCounts;
import dev.callbridge.emulator.RequestListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The Slack requests the emulator received while one system ran, each with when it arrived, so that
 * every system is timed the same way: from its first request to Slack to its last.
 */
final class RequestLog implements RequestListener {

    /** Points on each curve of a run. */
    private static final int CURVE_POINTS = 200;

    private record Received(long atNanos, String method, String endedCall) {}

    private volatile ConcurrentLinkedQueue<Received> recording;
    private final Set<String> endRequested = ConcurrentHashMap.newKeySet();
    private MachineCpu.Mark started;

    /** Forgets what came before and records from now on. */
    void start() {
        started = MachineCpu.mark();
        endRequested.clear();
        recording = new ConcurrentLinkedQueue<>();
    }

    @Override
    public void received(String method, Map<String, String> params, Instant receivedAt) {
        ConcurrentLinkedQueue<Received> log = recording;
        if (log != null) {
            String ended = method.equals(ApiMethod.CALLS_END.apiName()) ? params.get("id") : null;
            log.add(new Received(receivedAt.getEpochSecond() * 1_000_000_000L + receivedAt.getNano(), method, ended));
            if (ended != null) {
                endRequested.add(ended);
            }
        }
    }

    /**
     * How many distinct calls were asked to end since {@link #start}: known in this process, so waiting
     * on it costs the measured system nothing, unlike asking the emulator for its counts.
     */
    int callsAskedToEnd() {
        return endRequested.size();
    }

    /** Stops recording: the run as Slack saw it, with the emulator's counts of the same run. */
    SlackRun finish(EmulatorStats stats) {
        CpuUse cpu = MachineCpu.since(started);
        List<Received> log = new ArrayList<>(recording);
        recording = null;
        if (log.isEmpty()) {
            throw new IllegalStateException("no Slack request was received");
        }
        log.sort(Comparator.comparingLong(Received::atNanos));
        long first = log.get(0).atNanos();
        long tookNanos = Math.max(1_000_000, log.get(log.size() - 1).atNanos() - first);
        List<Long> requestTimes = log.stream().map(r -> r.atNanos() - first).toList();
        Set<String> ended = new HashSet<>();
        List<Long> endTimes = log.stream()
                .filter(r -> r.endedCall() != null && ended.add(r.endedCall()))
                .map(r -> r.atNanos() - first)
                .toList();

        Map<String, Long> byMethod = new TreeMap<>();
        Map<String, Long> errors = new TreeMap<>();
        long answered429 = 0;
        for (Map.Entry<String, MethodCounts> method : stats.methods().entrySet()) {
            if (method.getValue().requests() > 0) {
                byMethod.put(method.getKey(), method.getValue().requests());
            }
            answered429 += method.getValue().rateLimited();
            method.getValue().errors().forEach((code, count) -> errors.merge(code, count, Long::sum));
        }
        long requests = byMethod.values().stream().mapToLong(Long::longValue).sum();
        long callsCompleted = stats.of(ApiMethod.CALLS_END).ok();
        double seconds = tookNanos / 1e9;
        return new SlackRun(requests, byMethod, errors, answered429, callsCompleted, stats.duplicateCallsAdd(),
                Duration.ofNanos(tookNanos), requests / seconds, callsCompleted / seconds,
                curve(requestTimes, tookNanos), curve(endTimes, tookNanos), cpu);
    }

    /** How many of the sorted {@code times} had passed at each of evenly spaced moments up to {@code tookNanos}. */
    private static List<Progress> curve(List<Long> times, long tookNanos) {
        List<Progress> curve = new ArrayList<>(CURVE_POINTS + 1);
        int passed = 0;
        for (int point = 0; point <= CURVE_POINTS; point++) {
            long at = tookNanos * point / CURVE_POINTS;
            while (passed < times.size() && times.get(passed) <= at) {
                passed++;
            }
            curve.add(new Progress(at / 1e9, passed));
        }
        return curve;
    }
}
