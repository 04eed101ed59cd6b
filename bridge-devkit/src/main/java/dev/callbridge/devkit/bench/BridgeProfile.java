package dev.callbridge.devkit.bench;

import dev.callbridge.devkit.bench.BenchReport.CpuShare;
import dev.callbridge.devkit.bench.BenchReport.Profile;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Java Flight Recorder recording of this JVM while the bridge runs, summed up: where its CPU samples
 * fell by thread (the stream thread, the recovery store's global thread, the dispatcher, the broker,
 * the emulator, ...), the hottest places in the bridge's own code, and how busy the machine was.
 */
final class BridgeProfile implements AutoCloseable {

    /** Thread-name patterns, first match wins, and what each thread does in this JVM. */
    private static final List<Map.Entry<String, String>> ROLES = List.of(
            Map.entry(".*GlobalStreamThread.*", "global thread (recovery store)"),
            Map.entry(".*-StreamThread-\\d+", "stream thread (reconciler)"),
            Map.entry("kafka-producer-network-thread.*", "producers' I/O threads"),
            Map.entry("dispatch-worker-\\d+", "dispatcher workers (Slack SDK)"),
            Map.entry("dispatcher|dispatch-timer|OkHttp.*", "dispatcher loop"),
            Map.entry("XNIO-.*", "Slack emulator"),
            Map.entry("main|HttpClient-.*|kafka-admin-client-thread.*", "benchmark (progress polls)"),
            Map.entry("data-plane-.*|group-coordinator.*|TxnMarkerSender.*|AddPartitionsToTxn.*|kafka-.*|quorum-.*"
                    + "|share-coordinator.*|transaction-.*|LogDirFailureHandler|ExpirationReaper.*", "broker"));
    /** Frames between a serde and the code that asked for it: adapters, metrics wrappers, lambdas. */
    private static final List<String> PLUMBING = List.of("StateSerdes", "Serializer", "Deserializer", "SourceNode",
            "RecordDeserializer", "StreamsMetricsImpl", "JsonSerde");
    private static final int HOTTEST = 10;

    private final Recording recording;
    private final Path file;
    private final Instant start;

    private BridgeProfile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
        this.start = Instant.now();
    }

    /**
     * Starts recording with the JDK's "default" settings, made to cost about 1 % (CPU samples every 20 ms
     * of each thread running Java code).
     */
    static BridgeProfile start(Path file) throws IOException, ParseException {
        Recording recording = new Recording(Configuration.getConfiguration("default"));
        recording.setToDisk(true);
        recording.start();
        return new BridgeProfile(recording, file);
    }

    /**
     * Stops, writes the recording to its file and sums up what it holds.
     *
     * @param requestsPerSecond the bridge's Slack requests/s while it was recorded
     */
    Profile finish(double requestsPerSecond) throws IOException {
        Instant end = Instant.now();
        recording.stop();
        recording.dump(file);
        return summarize(file, Duration.between(start, end), requestsPerSecond);
    }

    /** What a recording of {@code recorded} holds, summed up. */
    static Profile summarize(Path file, Duration recorded, double requestsPerSecond) throws IOException {
        Map<String, Long> byRole = new HashMap<>();
        Map<String, Long> hottest = new HashMap<>();
        long samples = 0;
        double jvmCpu = 0;
        double machineCpu = 0;
        int loads = 0;
        try (RecordingFile events = new RecordingFile(file)) {
            while (events.hasMoreEvents()) {
                RecordedEvent event = events.readEvent();
                String type = event.getEventType().getName();
                if (type.equals("jdk.CPULoad")) {
                    jvmCpu += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                    machineCpu += event.getFloat("machineTotal");
                    loads++;
                } else if (type.equals("jdk.ExecutionSample")) {
                    samples++;
                    String thread = event.getThread("sampledThread") == null ? null
                            : event.getThread("sampledThread").getJavaName();
                    String role = role(thread);
                    byRole.merge(role, 1L, Long::sum);
                    String place = bridgeCode(event.getStackTrace(), role);
                    if (place != null) {
                        hottest.merge(place, 1L, Long::sum);
                    }
                }
            }
        }
        return new Profile(recorded, file.getFileName().toString(), requestsPerSecond, samples,
                loads == 0 ? -1 : jvmCpu / loads, loads == 0 ? -1 : machineCpu / loads,
                shares(byRole, samples, byRole.size()), shares(hottest, samples, HOTTEST));
    }

    private static String role(String thread) {
        if (thread == null) {
            return "other";
        }
        return ROLES.stream().filter(role -> thread.matches(role.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("other");
    }

    /**
     * The first frame of the bridge's code, and for the model's JSON serdes, which serve several
     * callers, the code that asked for the (de)serialization, with the thread: where a sample spent its
     * time on the bridge's behalf.
     */
    private static String bridgeCode(RecordedStackTrace stack, String role) {
        if (stack == null) {
            return null;
        }
        List<RecordedFrame> frames = stack.getFrames();
        for (int i = 0; i < frames.size(); i++) {
            String type = frames.get(i).getMethod().getType().getName();
            if (!type.startsWith("dev.callbridge.") || type.startsWith("dev.callbridge.emulator.")
                    || type.startsWith("dev.callbridge.devkit.")) {
                continue;
            }
            String place = name(frames.get(i));
            if (type.startsWith("dev.callbridge.model.json.")) {
                for (int j = i + 1; j < frames.size(); j++) {
                    if (isCaller(frames.get(j))) {
                        return place + " for " + name(frames.get(j)) + ", " + role;
                    }
                }
            }
            return place + ", " + role;
        }
        return null;
    }

    private static boolean isCaller(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        String simple = type.substring(type.lastIndexOf('.') + 1);
        return (type.startsWith("dev.callbridge.") || type.startsWith("org.apache.kafka."))
                && !type.contains("$$Lambda") && !frame.getMethod().getName().startsWith("lambda$")
                && !frame.getMethod().getName().endsWith("Value")
                && PLUMBING.stream().noneMatch(simple::equals);
    }

    private static String name(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
    }

    private static List<CpuShare> shares(Map<String, Long> counts, long samples, int limit) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .map(e -> new CpuShare(e.getKey(), samples == 0 ? 0 : (double) e.getValue() / samples))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        recording.close();
    }
}
