package dev.callbridge.emulator;

/**
 * One Socket Mode connection of an app, as the inspection API shows it.
 *
 * @param id names the connection ({@code link-7}) in the deliveries; never reused
 * @param openedAt epoch seconds
 * @param closedAt epoch seconds; {@code null} while it is open
 * @param closedBy {@code app} or {@code emulator}; {@code null} while it is open
 * @param closeCode the WebSocket close code: the emulator's when it closed it (1006 for a drop), else
 *     the app's; {@code null} while it is open
 * @param disconnectReason the reason of the {@code disconnect} message the emulator sent it, if any:
 *     such a connection takes new envelopes only when the app has no other
 * @param envelopesSent the envelopes sent over it, retries included
 * @param acks the acknowledgements that came back over it
 */
public record SocketConnection(
        String id,
        String appId,
        long openedAt,
        Long closedAt,
        String closedBy,
        Integer closeCode,
        String disconnectReason,
        int envelopesSent,
        int acks) {

    public boolean open() {
        return closedAt == null;
    }
}
