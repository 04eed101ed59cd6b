package dev.callbridge.emulator;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Everything the emulated Slack remembers: workspaces with their names and calls, and posted messages and their threads. */
final class EmulatorState {

    private static final int CALL_ID_DIGITS = 10;

    private final Set<String> configuredTeams;
    private final ConcurrentMap<String, String> workspaceNames = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Workspace> workspaces = new ConcurrentHashMap<>();
    private final Messages messages = new Messages();
    private final LongAdder duplicateCallsAdd = new LongAdder();
    // Neither sequence restarts on reset: an id handed out before a reset must never name a new call.
    private final AtomicLong callSequence = new AtomicLong();
    private final AtomicLong lastTsMicros = new AtomicLong();

    /** @param configuredTeams the workspaces of the configured tokens, which exist from the start and after a reset */
    EmulatorState(Set<String> configuredTeams) {
        this.configuredTeams = Set.copyOf(configuredTeams);
    }

    Workspace workspace(String teamId) {
        return workspaces.computeIfAbsent(teamId, id -> new Workspace());
    }

    /**
     * Makes a workspace exist under {@code name}, unless it exists already.
     *
     * @param name {@code null} for the name an unnamed workspace has
     */
    void nameWorkspace(String teamId, String name) {
        workspaceNames.putIfAbsent(teamId, name == null ? defaultName(teamId) : name);
    }

    String workspaceName(String teamId) {
        return workspaceNames.getOrDefault(teamId, defaultName(teamId));
    }

    /** The names of the workspaces an app may be installed in, by team id. */
    SortedMap<String, String> workspaceNames() {
        SortedMap<String, String> names = new TreeMap<>();
        configuredTeams.forEach(teamId -> names.put(teamId, workspaceName(teamId)));
        names.putAll(workspaceNames);
        return names;
    }

    /** The name of a workspace nobody named, also its domain: {@code emulated-t0001} for {@code T0001}. */
    static String defaultName(String teamId) {
        return "emulated-" + teamId.toLowerCase(Locale.ROOT);
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

    Messages conversations() {
        return messages;
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
        return messages.all();
    }

    /** The thread of message {@code ts} in {@code channel}, of whichever workspace holds it. */
    Optional<MessageThread> thread(String channel, String ts) {
        return messages.find(channel, ts).map(parent -> new MessageThread(parent, messages.replies(parent)));
    }

    long duplicateCallsAdd() {
        return duplicateCallsAdd.sum();
    }

    void clear() {
        workspaceNames.clear();
        workspaces.clear();
        messages.clear();
        duplicateCallsAdd.reset();
    }
}
