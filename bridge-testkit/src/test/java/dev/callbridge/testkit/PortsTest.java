package dev.callbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void aFreePortLiesBelowTheEphemeralRangeAndCanBeBound() throws Exception {
        int ephemeralStart = Ports.ephemeralStart();
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.isReadable(range)) {
            try (BufferedReader reader = Files.newBufferedReader(range)) {
                assertThat(ephemeralStart).as("the start of %s", range)
                        .isEqualTo(Integer.parseInt(reader.readLine().trim().split("\\s+")[0]));
            }
        }

        for (int i = 0; i < 20; i++) {
            int port = Ports.free();
            assertThat(port).isBetween(10_000, ephemeralStart - 1);
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(port));
                assertThat(server.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void aPortSomeoneListensOnIsNotGiven() throws Exception {
        int held = Ports.free();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(held));
            for (int i = 0; i < 200; i++) {
                assertThat(Ports.free()).isNotEqualTo(held);
            }
        }
    }
}
