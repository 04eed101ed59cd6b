package dev.callbridge.provider.emulator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/** One call on the emulated platform: started by a control, ended once, by the end API or the far side. */
final class ProviderCall {

    private final UUID id;
    private final String from;
    private final String to;
    private final String agent;
    private final Flavour flavour;
    private final Instant startedAt;
    private Instant endedAt;
    private String disconnectReason;

    ProviderCall(UUID id, String from, String to, String agent, Flavour flavour, Instant startedAt) {
        this.id = id;
        this.from = from;
        this.to = to;
        this.agent = agent;
        this.flavour = flavour;
        this.startedAt = startedAt.truncatedTo(ChronoUnit.MILLIS);
    }

    UUID id() {
        return id;
    }

    Flavour flavour() {
        return flavour;
    }

    /** Twilio's id of the call's leg: {@code CA} and 32 hex digits, derived from the call id. */
    String callSid() {
        return "CA" + id.toString().replace("-", "");
    }

    /**
     * Ends the call, unless it has ended already.
     *
     * @return whether this ended it
     */
    synchronized boolean end(Instant at, String reason) {
        if (endedAt != null) {
            return false;
        }
        Instant truncated = at.truncatedTo(ChronoUnit.MILLIS);
        endedAt = truncated.isBefore(startedAt) ? startedAt : truncated;
        disconnectReason = reason;
        return true;
    }

    synchronized CallSnapshot snapshot() {
        Long duration = endedAt == null ? null : Duration.between(startedAt, endedAt).toSeconds();
        return new CallSnapshot(id.toString(), endedAt == null ? CallSnapshot.IN_PROGRESS : CallSnapshot.ENDED, from,
                to, agent, flavour, flavour == Flavour.TWILIO ? callSid() : null, startedAt.toString(),
                Optional.ofNullable(endedAt).map(Instant::toString).orElse(null), duration, disconnectReason);
    }
}
