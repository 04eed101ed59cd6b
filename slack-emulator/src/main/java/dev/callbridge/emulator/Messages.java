package dev.callbridge.emulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Every message posted, in posting order, with the replies of each thread. A message's ts is unique
 * across the emulator; a message is found only in its own workspace and channel.
 */
final class Messages {

    private final Map<String, PostedMessage> byTs = new HashMap<>();
    private final List<String> order = new ArrayList<>();
    private final Map<String, List<String>> repliesByParent = new HashMap<>();

    synchronized void post(PostedMessage message) {
        byTs.put(message.ts(), message);
        order.add(message.ts());
        if (message.isReply()) {
            repliesByParent.computeIfAbsent(message.threadTs(), parent -> new ArrayList<>()).add(message.ts());
        }
    }

    /** The message {@code ts} of {@code channel} in {@code teamId}'s workspace. */
    synchronized Optional<PostedMessage> find(String teamId, String channel, String ts) {
        return Optional.ofNullable(byTs.get(ts))
                .filter(message -> message.teamId().equals(teamId) && message.channel().equals(channel));
    }

    /** The message {@code ts} of {@code channel} in any workspace: for inspection. */
    synchronized Optional<PostedMessage> find(String channel, String ts) {
        return Optional.ofNullable(byTs.get(ts)).filter(message -> message.channel().equals(channel));
    }

    /** Replaces a message by what {@code change} makes of it, and returns the new one. */
    synchronized PostedMessage update(String ts, UnaryOperator<PostedMessage> change) {
        PostedMessage updated = change.apply(byTs.get(ts));
        byTs.put(ts, updated);
        return updated;
    }

    /** The replies in {@code parent}'s thread, oldest first. */
    synchronized List<PostedMessage> replies(PostedMessage parent) {
        return repliesByParent.getOrDefault(parent.ts(), List.of()).stream().map(byTs::get).toList();
    }

    synchronized List<PostedMessage> all() {
        return order.stream().map(byTs::get).toList();
    }

    synchronized void clear() {
        byTs.clear();
        order.clear();
        repliesByParent.clear();
    }
}
