package dev.callbridge.emulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request and answer counts per method, and per (workspace, method) for requests whose token named a
 * workspace; lock-free so that counting never slows the server.
 */
final class RequestStats {

    private final Map<ApiMethod, Counters> byMethod = new EnumMap<>(ApiMethod.class);
    private final ConcurrentMap<String, ConcurrentMap<ApiMethod, Counters>> byWorkspace = new ConcurrentHashMap<>();

    RequestStats() {
        for (ApiMethod method : ApiMethod.values()) {
            byMethod.put(method, new Counters());
        }
    }

    void received(ApiMethod method) {
        byMethod.get(method).requests.increment();
    }

    /** A request whose token belongs to {@code teamId}: from here on it is counted for that workspace too. */
    void authenticated(String teamId, ApiMethod method) {
        workspace(teamId, method).requests.increment();
    }

    /** @param teamId the workspace of the request's token; {@code null} before authentication */
    void answered(ApiMethod method, ApiAnswer answer, String teamId) {
        byMethod.get(method).answered(answer);
        if (teamId != null) {
            workspace(teamId, method).answered(answer);
        }
    }

    void dropped(ApiMethod method, String teamId) {
        byMethod.get(method).dropped.increment();
        workspace(teamId, method).dropped.increment();
    }

    void delayed(ApiMethod method, String teamId) {
        byMethod.get(method).delayed.increment();
        workspace(teamId, method).delayed.increment();
    }

    private Counters workspace(String teamId, ApiMethod method) {
        return byWorkspace.computeIfAbsent(teamId, team -> new ConcurrentHashMap<>())
                .computeIfAbsent(method, m -> new Counters());
    }

    /** The counts of every method that was asked anything. */
    Map<String, MethodCounts> snapshot() {
        return snapshot(byMethod);
    }

    /** The counts of every workspace that was asked anything, by team id, then by method. */
    Map<String, Map<String, MethodCounts>> workspaces() {
        Map<String, Map<String, MethodCounts>> snapshot = new TreeMap<>();
        byWorkspace.forEach((team, methods) -> snapshot.put(team, snapshot(methods)));
        return snapshot;
    }

    private static Map<String, MethodCounts> snapshot(Map<ApiMethod, Counters> counters) {
        Map<String, MethodCounts> snapshot = new TreeMap<>();
        counters.forEach((method, counts) -> {
            if (counts.requests.sum() > 0) {
                snapshot.put(method.apiName(), counts.snapshot());
            }
        });
        return snapshot;
    }

    void clear() {
        byMethod.values().forEach(Counters::clear);
        byWorkspace.clear();
    }

    private static final class Counters {
        final LongAdder requests = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder rateLimited = new LongAdder();
        final LongAdder serverErrors = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder delayed = new LongAdder();
        final ConcurrentMap<String, LongAdder> errors = new ConcurrentHashMap<>();

        void answered(ApiAnswer answer) {
            if (answer.isOk()) {
                ok.increment();
            } else if (answer.status() == ApiAnswer.TOO_MANY_REQUESTS) {
                rateLimited.increment();
            } else if (answer.status() >= 500) {
                serverErrors.increment();
            } else {
                errors.computeIfAbsent(answer.error(), e -> new LongAdder()).increment();
            }
        }

        MethodCounts snapshot() {
            Map<String, Long> errorCounts = new TreeMap<>();
            errors.forEach((error, count) -> errorCounts.put(error, count.sum()));
            return new MethodCounts(requests.sum(), ok.sum(), rateLimited.sum(), serverErrors.sum(),
                    dropped.sum(), delayed.sum(), errorCounts);
        }

        void clear() {
            requests.reset();
            ok.reset();
            rateLimited.reset();
            serverErrors.reset();
            dropped.reset();
            delayed.reset();
            errors.clear();
        }
    }
}
