package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.CpuUse;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How busy the machine was between two moments ({@link CpuUse}): a figure measured while other
 * processes held the cores says less about the system measured, and this says how much. Read from
 * {@code /proc/stat}; on machines without it every figure is -1.
 */
final class MachineCpu {

    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final Path OWN_THREADS = Path.of("/proc/self/task");
    /** What Linux shows of a HotSpot compiler thread's name ({@code C2 CompilerThread0}, cut to 15 characters). */
    private static final String COMPILER_THREAD = "CompilerThre";
    /** The unit of {@code /proc}'s CPU times: USER_HZ, 100 on every Linux the JDK runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final CpuUse UNKNOWN = new CpuUse(-1, -1, -1, -1, -1);
    private static final Duration QUIET_SAMPLE = Duration.ofSeconds(1);

    private MachineCpu() {}

    /** The counters at one moment. */
    record Mark(long wallNanos, long jvmCpuNanos, long compileMillis, Map<String, Long> compilerThreads,
            long[] jiffies) {}

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
        return new Mark(System.nanoTime(), os.getProcessCpuTime(), compileMillis(), compilerThreads(), jiffies);
    }

    /**
     * CPU time each of this JVM's JIT compiler threads used so far, by thread id, as the kernel counts
     * it; {@code null} without {@code /proc}. Unlike {@link #compileMillis} it does not count a compiler
     * waiting for a core. HotSpot's compiler threads only (a JVMCI compiler's are named otherwise).
     */
    static Map<String, Long> compilerThreads() {
        Map<String, Long> nanos = new HashMap<>();
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(OWN_THREADS)) {
            for (Path thread : threads) {
                try {
                    if (!Files.readString(thread.resolve("comm")).contains(COMPILER_THREAD)) {
                        continue;
                    }
                    String stat = Files.readString(thread.resolve("stat"));
                    // After the name in parentheses: state, then utime and stime as the 12th and 13th fields.
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                    nanos.put(thread.getFileName().toString(),
                            (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK);
                } catch (IOException | RuntimeException e) {
                    // The thread ended while it was read: its time is lost either way.
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return nanos;
    }

    /**
     * What the compiler threads used between two readings; -1 when either is missing. A thread started
     * since counts from its start; one that ended since is left out (HotSpot stops compiler threads it
     * no longer needs where it runs more than one per compiler), so this may fall short, never over.
     */
    static long compilerNanosBetween(Map<String, Long> from, Map<String, Long> to) {
        if (from == null || to == null) {
            return -1;
        }
        long nanos = 0;
        for (Map.Entry<String, Long> thread : to.entrySet()) {
            nanos += Math.max(0, thread.getValue() - from.getOrDefault(thread.getKey(), 0L));
        }
        return nanos;
    }

    /** Time this JVM's JIT compilers spent so far, over all their threads; -1 where the JVM does not say. */
    static long compileMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Waits, up to {@code atMost}, until the JIT compilers are idle for most of a second: after a warm-up
     * they can have a minute of work queued, and a run measured meanwhile shares the cores with them.
     *
     * @return how long it waited
     */
    static Duration awaitCompilersQuiet(Duration atMost) {
        long start = System.nanoTime();
        long deadline = start + atMost.toNanos();
        // The kernel's count where there is one: a compiler kept waiting by the system measured is not idle.
        Map<String, Long> threads = compilerThreads();
        long before = compileMillis();
        if (threads == null && before < 0) {
            return Duration.ZERO;
        }
        while (System.nanoTime() < deadline) {
            BenchWorld.sleep(QUIET_SAMPLE);
            long spentNanos;
            if (threads != null) {
                Map<String, Long> now = compilerThreads();
                spentNanos = compilerNanosBetween(threads, now);
                threads = now;
            } else {
                long now = compileMillis();
                spentNanos = (now - before) * 1_000_000L;
                before = now;
            }
            if (spentNanos >= 0 && spentNanos < QUIET_SAMPLE.toNanos() / 5) {
                break;
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
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
        double jitThreadsBusy = from.compileMillis() < 0 ? -1 : (to.compileMillis() - from.compileMillis()) / 1e3 / wallSeconds;
        long compilerNanos = compilerNanosBetween(from.compilerThreads(), to.compilerThreads());
        double jitCores = compilerNanos < 0 ? -1 : compilerNanos / 1e9 / wallSeconds;
        return new CpuUse(jvmCores, jitCores, jitThreadsBusy, Math.max(0, busyCores - jvmCores), stolenCores);
    }
}
