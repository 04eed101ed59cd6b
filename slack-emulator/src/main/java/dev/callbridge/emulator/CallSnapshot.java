package dev.callbridge.emulator;

import java.util.List;

/**
 * An emulated call as the inspection API shows it.
 *
 * @param duplicateOf the id of the first call registered with the same {@code external_unique_id}
 *     in the workspace, when this one repeats it; {@code null} otherwise
 * @param dateEnd when the call ended, Unix seconds; {@code null} while it is live
 * @param duration seconds the call lasted; {@code null} while it is live
 * @param channels the channels a call block showed it in
 */
public record CallSnapshot(
        String id,
        String teamId,
        String externalUniqueId,
        String duplicateOf,
        String title,
        String joinUrl,
        String desktopAppJoinUrl,
        String externalDisplayId,
        String createdBy,
        long dateStart,
        Long dateEnd,
        Long duration,
        boolean ended,
        List<CallUser> users,
        List<String> channels) {

    public CallSnapshot {
        users = List.copyOf(users);
        channels = List.copyOf(channels);
    }
}
