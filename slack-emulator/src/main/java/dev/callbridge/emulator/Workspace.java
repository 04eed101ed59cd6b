package dev.callbridge.emulator;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The calls of one Slack workspace; a call id is only found in the workspace that created it. */
final class Workspace {

    private final ConcurrentMap<String, EmulatedCall> calls = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> firstCallByExternalId = new ConcurrentHashMap<>();

    /**
     * Records that {@code callId} is being registered for {@code externalUniqueId}.
     *
     * @return the id of the workspace's first call with that external id; {@code null} if this is it
     */
    String claimExternalId(String externalUniqueId, String callId) {
        return firstCallByExternalId.putIfAbsent(externalUniqueId, callId);
    }

    void add(EmulatedCall call) {
        calls.put(call.id(), call);
    }

    /** @throws MethodError {@code invalid_call_id} when this workspace has no such call */
    EmulatedCall call(String id) {
        EmulatedCall call = calls.get(id);
        if (call == null) {
            throw new MethodError("invalid_call_id");
        }
        return call;
    }

    boolean has(String id) {
        return calls.containsKey(id);
    }

    Collection<EmulatedCall> calls() {
        return calls.values();
    }
}
