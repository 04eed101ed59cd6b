package dev.callbridge.provider.emulator;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The emulated platform's behaviour over its state: calls start and end, and each change is told
 * through the webhooks; faults and targets may change while it runs.
 */
final class Platform {

    /** The platform's reason when the end API is given none. */
    static final String DEFAULT_END_REASON = "Ended Via API call";

    private final ProviderState state;
    private final Webhooks webhooks;
    private final AtomicReference<Faults> faults;
    private final AtomicReference<Targets> targets;

    Platform(ProviderState state, Webhooks webhooks, AtomicReference<Faults> faults, AtomicReference<Targets> targets) {
        this.state = state;
        this.webhooks = webhooks;
        this.faults = faults;
        this.targets = targets;
    }

    ProviderState state() {
        return state;
    }

    CallSnapshot start(String from, String to, String agent, Flavour flavour) {
        CallSnapshot call = state.start(from, to, agent, flavour).snapshot();
        webhooks.callStarted(call);
        return call;
    }

    /**
     * Ends the call with {@code reason}, then tells of it.
     *
     * @return the ended call; empty when it had ended already
     */
    Optional<CallSnapshot> end(ProviderCall call, String reason) {
        if (!call.end(state.now(), reason)) {
            return Optional.empty();
        }
        CallSnapshot ended = call.snapshot();
        webhooks.callEnded(ended);
        return Optional.of(ended);
    }

    Optional<ProviderCall> call(String id) {
        try {
            return state.call(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    List<WebhookDelivery> deliveries() {
        return webhooks.deliveries();
    }

    Faults faults() {
        return faults.get();
    }

    void faults(Faults newFaults) {
        faults.set(newFaults);
    }

    Targets targets() {
        return targets.get();
    }

    void targets(Targets newTargets) {
        targets.set(newTargets);
    }

    /** Forgets calls, end requests and deliveries, and drops what was still to be sent; settings stay. */
    void reset() {
        webhooks.clear();
        state.clear();
    }
}
