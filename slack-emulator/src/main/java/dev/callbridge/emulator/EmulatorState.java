package dev.callbridge.emulator;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Everything the emulated Slack remembers: workspaces with their calls, and posted messages. */
final class EmulatorState {

    private static final int CALL_ID_DIGITS = 10;

    private final ConcurrentMap<String, Workspace> workspaces = new ConcurrentHashMap<>();
    private final Queue<PostedMessage> messages = new ConcurrentLinkedQueue<>();
    private final LongAdder duplicateCallsAdd = new LongAdder();
    // Neither sequence restarts on reset: an id handed out before a reset must never name a new call.
    private final AtomicLong callSequence = new AtomicLong();
    private final AtomicLong lastTsMicros = new AtomicLong();

    Workspace workspace(String teamId) {
        return workspaces.computeIfAbsent(teamId, id -> new Workspace());
    }

    /** A new call id in Slack's shape: {@code R} and capitals and digits, in creation order. */
    String nextCallId() {
        String digits = Long.toString(callSequence.incrementAndGet(), Character.MAX_RADIX).toUpperCase(Locale.ROOT);
        return "R" + "0".repeat(Math.max(0, CALL_ID_DIGITS - digits.length())) + digits;
    }

    /** A message timestamp ({@code seconds.micros}), unique and increasing like Slack's. */
    String nextTs(long nowMicros) {
        long micros = lastTsMicros.accumulateAndGet(nowMicros, (last, now) -> Math.max(last + 1, now));
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    void duplicateCallAdded() {
        duplicateCallsAdd.increment();
    }

    void messagePosted(PostedMessage message) {
        messages.add(message);
    }

    /** Every call of every workspace, oldest first. */
    List<CallSnapshot> calls() {
        return workspaces.values().stream()
                .flatMap(workspace -> workspace.calls().stream())
                .map(EmulatedCall::snapshot)
                .sorted(Comparator.comparing(CallSnapshot::id))
                .toList();
    }

    Optional<CallSnapshot> call(String id) {
        return workspaces.values().stream()
                .filter(workspace -> workspace.has(id))
                .map(workspace -> workspace.call(id).snapshot())
                .findFirst();
    }

    List<PostedMessage> messages() {
        return List.copyOf(messages);
    }

    long duplicateCallsAdd() {
        return duplicateCallsAdd.sum();
    }

    void clear() {
        workspaces.clear();
        messages.clear();
        duplicateCallsAdd.reset();
    }
}
