package dev.callbridge.topology;

import dev.callbridge.model.state.CallState;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The call states a task used last, decoded, each beside the bytes it was decoded from or encoded
 * to. A state is taken from here only when the store still holds exactly those bytes, so what is
 * used is always what the store holds, whatever else changed the store; it only saves parsing the
 * JSON again while a call's events and answers follow each other. Holds at most {@code capacity}
 * calls, dropping the one used least recently.
 */
final class DecodedStates {

    private record Decoded(byte[] bytes, CallState state) {}

    private final Map<String, Decoded> byCall;

    DecodedStates(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.byCall = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Decoded> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The state the stored {@code bytes} hold, kept for the next use; {@code null} bytes are no state. */
    CallState decode(String call, byte[] bytes, Function<byte[], CallState> decoder) {
        if (bytes == null) {
            byCall.remove(call);
            return null;
        }
        CallState known = known(call, bytes);
        if (known != null) {
            return known;
        }
        CallState state = decoder.apply(bytes);
        byCall.put(call, new Decoded(bytes, state));
        return state;
    }

    /** The state the stored {@code bytes} hold, without keeping it: for a pass over every call. */
    CallState peek(String call, byte[] bytes, Function<byte[], CallState> decoder) {
        Decoded decoded = byCall.get(call);
        if (decoded != null && Arrays.equals(decoded.bytes(), bytes)) {
            return decoded.state();
        }
        return decoder.apply(bytes);
    }

    /** The call's state as just encoded and stored. */
    void remember(String call, byte[] bytes, CallState state) {
        byCall.put(call, new Decoded(bytes, state));
    }

    void forget(String call) {
        byCall.remove(call);
    }

    void clear() {
        byCall.clear();
    }

    int size() {
        return byCall.size();
    }

    private CallState known(String call, byte[] bytes) {
        Decoded decoded = byCall.get(call);
        return decoded != null && Arrays.equals(decoded.bytes(), bytes) ? decoded.state() : null;
    }
}
