package dev.callbridge.slackapp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One end request per call at a time on this instance: a click on a call already being ended, or
 * ended from here, asks the platform nothing. Ended calls are remembered up to a bound, the oldest
 * forgotten first; by then their button is long gone from Slack.
 */
final class EndCallGuard {

    private static final int REMEMBERED_ENDS = 10_000;

    /** Calls being ended or ended, with the user who asked: in insertion order, so the oldest ends go first. */
    private final Map<String, String> claimed = new LinkedHashMap<>();

    /**
     * Claims the call for {@code userId}.
     *
     * @return empty when the claim is theirs; else who claimed it before
     */
    synchronized Optional<String> claim(String callId, String userId) {
        String earlier = claimed.putIfAbsent(callId, userId);
        if (earlier == null && claimed.size() > REMEMBERED_ENDS) {
            String oldest = claimed.keySet().iterator().next();
            claimed.remove(oldest);
        }
        return Optional.ofNullable(earlier);
    }

    /** The call was not ended: a later click may try again. */
    synchronized void release(String callId) {
        claimed.remove(callId);
    }

    synchronized int size() {
        return claimed.size();
    }
}
