package dev.callbridge.emulator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one JSON line per Web API request to a file, as it arrives: the moment in epoch milliseconds,
 * the method and the parameters that say which call, channel or thread it is about. For measurements
 * made outside the emulator's process, such as the time from an event to the Slack request it caused
 * or the longest time no request came. Users, texts and blocks are left out to keep the lines short;
 * credentials never reach a listener.
 */
final class RequestLogFile implements RequestListener, AutoCloseable {

    /** The parameters kept: what names the call, the message or where it goes. */
    static final List<String> KEPT = List.of("external_unique_id", "id", "channel", "thread_ts", "ts");

    private final BufferedWriter out;
    private boolean failed;

    RequestLogFile(Path file) {
        try {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the request log " + file, e);
        }
    }

    @Override
    public synchronized void received(String method, Map<String, String> params, Instant receivedAt) {
        if (failed) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("at", receivedAt.toEpochMilli());
        line.put("method", method);
        for (String key : KEPT) {
            if (params.containsKey(key)) {
                line.put(key, params.get(key));
            }
        }
        try {
            out.write(new String(EmulatorJson.write(line), StandardCharsets.UTF_8));
            out.newLine();
            // Read while the emulator runs: every line is on disk once its request is answered.
            out.flush();
        } catch (IOException e) {
            // A full disk must not fail Slack requests; the log just stops.
            failed = true;
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            failed = true;
        }
    }
}
