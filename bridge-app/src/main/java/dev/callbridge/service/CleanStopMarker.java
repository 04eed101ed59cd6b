package dev.callbridge.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers, in the state directory, whether the last run stopped cleanly, and when it did not,
 * wipes the recovery store's global state before Kafka Streams opens it.
 *
 * <p>Why: under {@code exactly_once_v2}, Kafka Streams wipes and restores a task's store that a
 * {@code kill -9} left open, but not a global store: opening one throws
 * {@code TaskCorruptedException}, the global thread dies, the client goes to ERROR, and every
 * restart fails the same way. The recovery store is a copy of {@code slack.calls}, so rebuilding it
 * from the topic is always correct; it costs one read of that topic after an unclean stop.
 */
final class CleanStopMarker {

    private static final Logger LOG = LoggerFactory.getLogger(CleanStopMarker.class);
    static final String FILE_NAME = ".bridge-stopped-cleanly";

    private final Path appDir;

    CleanStopMarker(Path stateDir, String applicationId) {
        this.appDir = stateDir.toAbsolutePath().resolve(applicationId);
    }

    /** Before Kafka Streams starts: wipes the global state unless the last run stopped cleanly, then forgets that it did. */
    void beforeStart() {
        Path marker = appDir.resolve(FILE_NAME);
        Path global = appDir.resolve("global");
        try {
            if (Files.isDirectory(global) && !Files.exists(marker)) {
                LOG.warn("The last run did not stop cleanly: the recovery store is rebuilt from the views topic");
                Utils.delete(global.toFile());
            }
            // A run that dies from here on leaves no marker behind.
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the state directory " + appDir, e);
        }
    }

    /** After Kafka Streams closed cleanly: the next start may keep the global state. */
    void stoppedCleanly() {
        try {
            Files.createDirectories(appDir);
            Files.writeString(appDir.resolve(FILE_NAME), "stopped cleanly\n");
        } catch (IOException e) {
            LOG.warn("Could not note a clean stop in {}; the next start rebuilds the recovery store", appDir, e);
        }
    }
}
