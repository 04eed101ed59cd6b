package dev.callbridge.topology;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The calls of one task whose {@code calls.add} is held (see {@link CatchUp}), each due when the task's
 * event time or the wall clock reaches its deadline. Kept in memory only: a task that starts afresh has
 * none, and the sweeper plans whatever calls were held when it stopped.
 */
final class HeldAdds {

    /** One held call: its deadlines, and the timestamp its operation will carry. */
    record Held(String call, long dueAtEventMs, long dueAtWallMs, long timestamp) {}

    /** Entries of calls no longer held that the queues may keep before they are swept out. */
    static final int STALE_SLACK = 64;

    private final Map<String, Held> byCall = new HashMap<>();
    private final PriorityQueue<Held> byEventTime = new PriorityQueue<>(Comparator.comparingLong(Held::dueAtEventMs));
    /** Held calls in the order they were first held: their wall-clock deadlines only grow. */
    private final ArrayDeque<Held> byWallClock = new ArrayDeque<>();

    /** Holds the call, unless it is held already: its first deadlines stand. */
    void hold(String call, long dueAtEventMs, long dueAtWallMs, long timestamp) {
        if (byCall.containsKey(call)) {
            return;
        }
        Held held = new Held(call, dueAtEventMs, dueAtWallMs, timestamp);
        byCall.put(call, held);
        byEventTime.add(held);
        byWallClock.add(held);
    }

    boolean contains(String call) {
        return byCall.containsKey(call);
    }

    /** The call is no longer held: it was planned, or forgotten. */
    void remove(String call) {
        byCall.remove(call);
    }

    /** Entries the queues hold, of held calls and of calls no longer held; for tests. */
    int queued() {
        return byEventTime.size() + byWallClock.size();
    }

    int size() {
        return byCall.size();
    }

    void clear() {
        byCall.clear();
        byEventTime.clear();
        byWallClock.clear();
    }

    /** Takes out and returns the calls due by {@code eventTimeMs} or {@code wallMs}, earliest first. */
    List<Held> due(long eventTimeMs, long wallMs) {
        List<Held> due = new ArrayList<>();
        while (!byEventTime.isEmpty() && byEventTime.peek().dueAtEventMs() <= eventTimeMs) {
            take(byEventTime.poll(), due);
        }
        while (!byWallClock.isEmpty() && byWallClock.peek().dueAtWallMs() <= wallMs) {
            take(byWallClock.poll(), due);
        }
        // Entries of calls no longer held are dropped when they reach a queue's head, or all at once when
        // they outnumber the held calls (the event time may stand still while the wall clock takes calls).
        if (byEventTime.size() > 2 * byCall.size() + STALE_SLACK) {
            byEventTime.removeIf(held -> byCall.get(held.call()) != held);
            byWallClock.removeIf(held -> byCall.get(held.call()) != held);
        }
        return due;
    }

    private void take(Held held, List<Held> due) {
        if (byCall.get(held.call()) == held) {
            byCall.remove(held.call());
            due.add(held);
        }
    }
}
