package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.CpuUse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How busy the machine was between two moments ({@link CpuUse}): a figure measured while other
 * processes held the cores says less about the system measured, and this says how much. Read from
 * {@code /proc/stat}; on machines without it every figure is -1.
 */
final class MachineCpu {

    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final CpuUse UNKNOWN = new CpuUse(-1, -1, -1);

    private MachineCpu() {}

    /** The counters at one moment. */
    record Mark(long wallNanos, long jvmCpuNanos, long[] jiffies) {}

    static Mark mark() {
        long[] jiffies = null;
        try {
            String cpu = Files.readAllLines(PROC_STAT).get(0);
            if (cpu.startsWith("cpu ")) {
                jiffies = Arrays.stream(cpu.substring(4).trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
            }
        } catch (IOException | RuntimeException e) {
            jiffies = null;
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Mark(System.nanoTime(), os.getProcessCpuTime(), jiffies);
    }

    /** From {@code from} until now. */
    static CpuUse since(Mark from) {
        Mark to = mark();
        // user nice system idle iowait irq softirq steal ...
        if (from.jiffies() == null || to.jiffies() == null || from.jiffies().length < 8 || to.jiffies().length < 8) {
            return UNKNOWN;
        }
        long[] delta = new long[8];
        long all = 0;
        for (int i = 0; i < 8; i++) {
            delta[i] = to.jiffies()[i] - from.jiffies()[i];
            all += delta[i];
        }
        if (all <= 0) {
            return UNKNOWN;
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        double wallSeconds = (to.wallNanos() - from.wallNanos()) / 1e9;
        double busyCores = (double) (all - delta[3] - delta[4] - delta[7]) / all * cpus;
        double stolenCores = (double) delta[7] / all * cpus;
        double jvmCores = (to.jvmCpuNanos() - from.jvmCpuNanos()) / 1e9 / wallSeconds;
        return new CpuUse(jvmCores, Math.max(0, busyCores - jvmCores), stolenCores);
    }
}
