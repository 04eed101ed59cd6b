package dev.callbridge.devkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MachineCpuTest {

    @Test
    void theCompilersTimeIsTheirsAloneAsTheKernelCountsIt() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long busy = 0;
        for (int i = 0; i < 2_000_000; i++) {
            // Some work of this thread's own, which the compilers' time must not include.
            busy += Integer.toString(i).hashCode();
        }
        long compilers = MachineCpu.compilerCpuNanos();
        long process = os.getProcessCpuTime();

        // The test JVM has compiled the test framework by now: ten milliseconds at the least.
        assertThat(compilers).as("work %d", busy).isGreaterThanOrEqualTo(10_000_000L);
        assertThat(compilers).isLessThan(process);
        MachineCpu.Mark mark = MachineCpu.mark();
        assertThat(mark.compilerCpuNanos()).isGreaterThanOrEqualTo(compilers);
        BenchWorld.sleep(java.time.Duration.ofMillis(300));
        // The kernel counts in hundredths of a second, so a short span may be off by a few of them per thread.
        assertThat(MachineCpu.since(mark).jitCores()).isBetween(0.0, Runtime.getRuntime().availableProcessors() + 0.2);
    }
}
