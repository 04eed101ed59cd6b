package dev.callbridge.emulator;

import java.util.List;

/** A message accepted by the emulated {@code chat.postMessage}, with the calls its call blocks show. */
public record PostedMessage(String teamId, String channel, String ts, String text, List<String> callIds) {

    public PostedMessage {
        callIds = List.copyOf(callIds);
    }
}
