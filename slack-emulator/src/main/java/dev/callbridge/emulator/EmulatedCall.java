package dev.callbridge.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One call registered with {@code calls.add}. Each call is its own lock, so requests for different
 * calls never wait on each other.
 */
final class EmulatedCall {

    private final String id;
    private final String teamId;
    private final String externalUniqueId;
    private final String duplicateOf;
    private final String externalDisplayId;
    private final String createdBy;
    private final long dateStart;
    private final Map<String, CallUser> users = new LinkedHashMap<>();
    private final Set<String> channels = new LinkedHashSet<>();
    private String title;
    private String joinUrl;
    private String desktopAppJoinUrl;
    private Long dateEnd;
    private Long duration;

    EmulatedCall(String id, String teamId, String duplicateOf, Registration registration) {
        this.id = id;
        this.teamId = teamId;
        this.externalUniqueId = registration.externalUniqueId();
        this.duplicateOf = duplicateOf;
        this.externalDisplayId = registration.externalDisplayId();
        this.createdBy = registration.createdBy();
        this.dateStart = registration.dateStart();
        this.title = registration.details().title();
        this.joinUrl = registration.details().joinUrl();
        this.desktopAppJoinUrl = registration.details().desktopAppJoinUrl();
        // calls.add documents no bad_users: a person listed twice is simply on the call once.
        registration.users().forEach(user -> users.putIfAbsent(user.key(), user));
    }

    /** The arguments of a {@code calls.add}, checked. */
    record Registration(
            String externalUniqueId,
            CallDetails details,
            String externalDisplayId,
            String createdBy,
            long dateStart,
            List<CallUser> users) {}

    /** The fields {@code calls.update} may change; a {@code null} leaves a field as it is. */
    record CallDetails(String title, String joinUrl, String desktopAppJoinUrl) {}

    String id() {
        return id;
    }

    /** @throws MethodError {@code bad_users} when one of them is already on the call; then nobody is added */
    synchronized void addUsers(List<CallUser> added) {
        requireLive();
        for (CallUser user : added) {
            if (users.containsKey(user.key())) {
                throw new MethodError("bad_users");
            }
        }
        added.forEach(user -> users.put(user.key(), user));
    }

    /** @throws MethodError {@code bad_users} when one of them is not on the call; then nobody is removed */
    synchronized void removeUsers(List<CallUser> removed) {
        requireLive();
        for (CallUser user : removed) {
            if (!users.containsKey(user.key())) {
                throw new MethodError("bad_users");
            }
        }
        removed.forEach(user -> users.remove(user.key()));
    }

    synchronized void update(CallDetails details) {
        requireLive();
        if (details.title() != null) {
            title = details.title();
        }
        if (details.joinUrl() != null) {
            joinUrl = details.joinUrl();
        }
        if (details.desktopAppJoinUrl() != null) {
            desktopAppJoinUrl = details.desktopAppJoinUrl();
        }
    }

    /**
     * Ends the call. A given duration places the end at start + duration, so a call ended late (a
     * bridge catching up) shows how long it really lasted; without one the call ends now.
     */
    synchronized void end(Long givenDuration, long now) {
        requireLive();
        dateEnd = givenDuration != null ? dateStart + givenDuration : Math.max(now, dateStart);
        duration = dateEnd - dateStart;
    }

    /** A call block showed this call in {@code channel}. */
    synchronized void shownIn(String channel) {
        channels.add(channel);
    }

    synchronized CallSnapshot snapshot() {
        return new CallSnapshot(id, teamId, externalUniqueId, duplicateOf, title, joinUrl, desktopAppJoinUrl,
                externalDisplayId, createdBy, dateStart, dateEnd, duration, dateEnd != null,
                new ArrayList<>(users.values()), new ArrayList<>(channels));
    }

    private void requireLive() {
        if (dateEnd != null) {
            throw new MethodError("inactive_call");
        }
    }
}
