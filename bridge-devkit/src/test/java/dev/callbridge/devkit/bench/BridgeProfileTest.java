package dev.callbridge.devkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.devkit.bench.BenchReport.CpuShare;
import dev.callbridge.devkit.bench.BenchReport.Profile;
import dev.callbridge.model.json.JsonSerde;
import dev.callbridge.model.op.CallOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flight recording of this JVM summed up by what each thread does and where the bridge's code spent it. */
class BridgeProfileTest {

    @TempDir
    Path dir;

    @Test
    void samplesAreSummedUpByThreadAndBySerdeWithTheCodeThatAskedForIt() throws Exception {
        Path file = dir.resolve("bridge.jfr");
        Profile profile;
        try (BridgeProfile recording = BridgeProfile.start(file)) {
            Thread worker = new Thread(() -> serializeFor(Duration.ofMillis(1500)), "dispatch-worker-1");
            worker.start();
            worker.join();
            profile = recording.finish(12.5);
        }

        assertThat(file).exists();
        assertThat(Files.size(file)).isPositive();
        assertThat(profile.file()).isEqualTo("bridge.jfr");
        assertThat(profile.requestsPerSecond()).isEqualTo(12.5);
        assertThat(profile.samples()).isPositive();
        assertThat(profile.byThread()).extracting(CpuShare::what).contains("dispatcher workers (Slack SDK)");
        assertThat(profile.byThread()).allSatisfy(share -> assertThat(share.share()).isBetween(0.0, 1.0));
        assertThat(profile.hottest()).extracting(CpuShare::what)
                .contains("JsonSerde.toBytes for BridgeProfileTest.serializeFor, dispatcher workers (Slack SDK)");
    }

    private static void serializeFor(Duration busy) {
        JsonSerde<CallOp> serde = new JsonSerde<>(CallOp.class);
        long until = System.nanoTime() + busy.toNanos();
        long n = 0;
        while (System.nanoTime() < until) {
            // A new operation each time, so nothing can be cached.
            serde.toBytes(new CallOp.EndCall("op-" + n, "call-" + n, "T0", "R0" + n, n++, null));
        }
    }
}
