package dev.callbridge.emulator;

import java.util.List;

/** A message and the replies in its thread, oldest first, as the inspection API shows them. */
public record MessageThread(PostedMessage parent, List<PostedMessage> replies) {

    public MessageThread {
        replies = List.copyOf(replies);
    }
}
