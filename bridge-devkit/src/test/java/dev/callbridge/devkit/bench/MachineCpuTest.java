package dev.callbridge.devkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
        Map<String, Long> threads = MachineCpu.compilerThreads();
        long process = os.getProcessCpuTime();

        assertThat(threads).as("work %d", busy).isNotEmpty();
        long compilers = threads.values().stream().mapToLong(Long::longValue).sum();
        // The test JVM has compiled the test framework by now: ten milliseconds at the least.
        assertThat(compilers).isGreaterThanOrEqualTo(10_000_000L).isLessThan(process);
        MachineCpu.Mark mark = MachineCpu.mark();
        BenchWorld.sleep(Duration.ofMillis(300));
        // The kernel counts in hundredths of a second, so a short span may be off by a few of them per thread.
        assertThat(MachineCpu.since(mark).jitCores()).isBetween(0.0, Runtime.getRuntime().availableProcessors() + 0.2);
    }

    @Test
    void aCompilerThreadThatEndedOrStartedBetweenTwoReadingsNeverMakesTheTimeGoBack() {
        Map<String, Long> before = Map.of("101", 500L, "102", 300L);
        Map<String, Long> after = Map.of("101", 800L, "103", 50L);

        // 101 grew by 300, 103 started since (all 50 of its time), 102 ended (its time since is lost).
        assertThat(MachineCpu.compilerNanosBetween(before, after)).isEqualTo(350);
        assertThat(MachineCpu.compilerNanosBetween(after, before)).isEqualTo(300);
        assertThat(MachineCpu.compilerNanosBetween(null, after)).isEqualTo(-1);
    }
}
