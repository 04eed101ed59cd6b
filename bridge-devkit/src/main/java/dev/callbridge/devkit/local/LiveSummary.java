package dev.callbridge.devkit.local;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.EmulatorStats;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The local demo's state in three lines for the terminal: what Slack holds, what it was asked, what was sent. */
public final class LiveSummary {

    private final EmulatorClient slack;
    private final Supplier<DemoTraffic.Counts> traffic;
    private final LongSupplier deadLetters;

    /**
     * @param slack the emulator the bridge talks to
     * @param traffic what the demo generator has sent, such as {@code demoTraffic::counts}
     * @param deadLetters how many records the bridge has dead-lettered so far
     */
    public LiveSummary(EmulatorClient slack, Supplier<DemoTraffic.Counts> traffic, LongSupplier deadLetters) {
        this.slack = Objects.requireNonNull(slack, "slack");
        this.traffic = Objects.requireNonNull(traffic, "traffic");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /**
     * Asks the emulator and the counters for the current figures.
     *
     * @throws java.io.UncheckedIOException when the emulator does not answer
     */
    public Figures gather() {
        List<CallSnapshot> calls = slack.calls();
        EmulatorStats stats = slack.stats();
        long ended = calls.stream().filter(CallSnapshot::ended).count();
        List<MethodLoad> methods = stats.methods().entrySet().stream()
                .filter(entry -> entry.getValue().requests() > 0)
                .map(entry -> new MethodLoad(entry.getKey(), entry.getValue().requests(), entry.getValue().rateLimited()))
                .sorted(Comparator.comparingInt((MethodLoad load) -> apiOrder(load.method())).thenComparing(MethodLoad::method))
                .toList();
        return new Figures(calls.size() - ended, ended, stats.duplicateCallsAdd(), methods, deadLetters.getAsLong(),
                traffic.get());
    }

    /** The figures as three lines, without a final line break. */
    public static String format(Figures figures) {
        DemoTraffic.Counts sent = figures.traffic();
        String requests = figures.methods().isEmpty()
                ? "no requests yet"
                : figures.methods().stream().map(LiveSummary::format).collect(Collectors.joining(", "));
        return String.join("\n",
                "Slack:  " + count(figures.callsLive()) + " live, " + count(figures.callsEnded()) + " ended, "
                        + count(figures.duplicateCallsAdd()) + " duplicate calls.add, "
                        + count(figures.rateLimited()) + " answered 429",
                "        " + requests,
                "Kafka:  " + count(sent.events()) + " events sent (" + count(sent.duplicates()) + " duplicated, "
                        + count(sent.reordered()) + " reordered, " + count(sent.malformed()) + " malformed), "
                        + count(figures.deadLetters()) + " dead letters");
    }

    private static String format(MethodLoad load) {
        String text = load.method() + " " + count(load.requests());
        return load.rateLimited() == 0 ? text : text + " (" + count(load.rateLimited()) + " x 429)";
    }

    private static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** Methods in the order a call uses them; anything the emulator learns later goes last. */
    private static int apiOrder(String method) {
        return ApiMethod.find(method).map(Enum::ordinal).orElse(Integer.MAX_VALUE);
    }

    /**
     * One refresh's figures.
     *
     * @param callsLive calls in Slack that have not ended
     * @param callsEnded calls in Slack that have ended
     * @param duplicateCallsAdd {@code calls.add} requests that repeated a call Slack already had; a bridge bug when above 0
     * @param methods the methods asked at least once, in the order a call uses them
     * @param deadLetters records the bridge dead-lettered
     * @param traffic what the demo generator sent
     */
    public record Figures(
            long callsLive,
            long callsEnded,
            long duplicateCallsAdd,
            List<MethodLoad> methods,
            long deadLetters,
            DemoTraffic.Counts traffic) {

        public Figures {
            methods = List.copyOf(methods);
            Objects.requireNonNull(traffic, "traffic");
        }

        /** Requests answered with HTTP 429, over all methods. */
        public long rateLimited() {
            return methods.stream().mapToLong(MethodLoad::rateLimited).sum();
        }
    }

    /** Requests to one Slack method since the emulator started or was reset, and how many got a 429. */
    public record MethodLoad(String method, long requests, long rateLimited) {}
}
