package dev.callbridge.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that must be told their port before they start (a bridge whose Slack request URL
 * or OAuth redirect is configured up front).
 *
 * <p>A port from {@code new ServerSocket(0)} comes from the system's ephemeral range, the same range
 * every outgoing connection (Kafka clients, HTTP clients) takes its local port from; between closing
 * the probe and the server binding, one of those connections can take it. These ports are chosen
 * below that range, where only listeners that ask for a port by number go.
 */
public final class Ports {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int USUAL_EPHEMERAL_START = 32_768;

    private Ports() {}

    /** A port nobody listens on now, outside the ephemeral range. */
    public static int free() {
        int below = ephemeralStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        IOException last = null;
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(LOWEST, below);
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(false);
                probe.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                last = taken;
            }
        }
        throw new UncheckedIOException("no free port between " + LOWEST + " and " + below, last);
    }

    /** Where the system's ephemeral ports begin; 32768, Linux's default, where that cannot be read. */
    static int ephemeralStart() {
        // Read by line: Files.readString trusts the size procfs reports and may return a part of the file.
        try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
            String line = reader.readLine();
            int start = line == null ? 0 : Integer.parseInt(line.trim().split("\\s+")[0]);
            return start > LOWEST + 1_000 ? start : USUAL_EPHEMERAL_START;
        } catch (IOException | RuntimeException unreadable) {
            return USUAL_EPHEMERAL_START;
        }
    }
}
