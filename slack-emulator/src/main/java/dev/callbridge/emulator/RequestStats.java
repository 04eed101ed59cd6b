package dev.callbridge.emulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/** Per-method request and answer counts, lock-free so that counting never slows the server. */
final class RequestStats {

    private final Map<ApiMethod, Counters> byMethod = new EnumMap<>(ApiMethod.class);

    RequestStats() {
        for (ApiMethod method : ApiMethod.values()) {
            byMethod.put(method, new Counters());
        }
    }

    void received(ApiMethod method) {
        byMethod.get(method).requests.increment();
    }

    void answered(ApiMethod method, ApiAnswer answer) {
        Counters counters = byMethod.get(method);
        if (answer.isOk()) {
            counters.ok.increment();
        } else if (answer.status() == ApiAnswer.TOO_MANY_REQUESTS) {
            counters.rateLimited.increment();
        } else if (answer.status() >= 500) {
            counters.serverErrors.increment();
        } else {
            counters.errors.computeIfAbsent(answer.error(), e -> new LongAdder()).increment();
        }
    }

    void dropped(ApiMethod method) {
        byMethod.get(method).dropped.increment();
    }

    void delayed(ApiMethod method) {
        byMethod.get(method).delayed.increment();
    }

    /** The counts of every method that was asked anything. */
    Map<String, MethodCounts> snapshot() {
        Map<String, MethodCounts> snapshot = new TreeMap<>();
        byMethod.forEach((method, counters) -> {
            if (counters.requests.sum() > 0) {
                snapshot.put(method.apiName(), counters.snapshot());
            }
        });
        return snapshot;
    }

    void clear() {
        byMethod.values().forEach(Counters::clear);
    }

    private static final class Counters {
        final LongAdder requests = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder rateLimited = new LongAdder();
        final LongAdder serverErrors = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder delayed = new LongAdder();
        final ConcurrentMap<String, LongAdder> errors = new ConcurrentHashMap<>();

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
