package dev.callbridge.provider.emulator;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the emulated platform remembers: its calls and every end request it received. */
final class ProviderState {

    private final Clock clock;
    private final ConcurrentMap<UUID, ProviderCall> calls = new ConcurrentHashMap<>();
    private final Queue<EndRequest> endRequests = new ConcurrentLinkedQueue<>();
    // Not restarted by a reset, so an id seen before one never names a later request.
    private final AtomicLong endRequestSequence = new AtomicLong();

    ProviderState(Clock clock) {
        this.clock = clock;
    }

    ProviderCall start(String from, String to, String agent, Flavour flavour) {
        ProviderCall call = new ProviderCall(UUID.randomUUID(), from, to, agent, flavour, clock.instant());
        calls.put(call.id(), call);
        return call;
    }

    Optional<ProviderCall> call(UUID id) {
        return Optional.ofNullable(calls.get(id));
    }

    /** Every call, oldest first. */
    List<CallSnapshot> calls() {
        return calls.values().stream().map(ProviderCall::snapshot)
                .sorted(Comparator.comparing(CallSnapshot::startedAt).thenComparing(CallSnapshot::callId))
                .toList();
    }

    EndRequest endRequested(String callId, String reason, String outcome, int httpStatus) {
        EndRequest request = new EndRequest(endRequestSequence.incrementAndGet(), now().toString(), callId, reason,
                outcome, httpStatus);
        endRequests.add(request);
        return request;
    }

    List<EndRequest> endRequests() {
        return List.copyOf(endRequests);
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    void clear() {
        calls.clear();
        endRequests.clear();
    }
}
