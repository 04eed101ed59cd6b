package dev.callbridge.devkit.local;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.PostedMessage;
import dev.callbridge.model.op.ThreadReply;
import dev.callbridge.provider.emulator.EndRequest;
import dev.callbridge.provider.emulator.ProviderEmulatorClient;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The local demo's state in four lines for the terminal: what Slack holds, what it was asked, what was
 * sent to Kafka, and what the voice-AI platform's calls came to.
 */
public final class LiveSummary {

    private final EmulatorClient slack;
    private final ProviderEmulatorClient voiceAi;
    private final Supplier<DemoTraffic.Counts> traffic;
    private final LongSupplier deadLetters;

    /**
     * @param slack the emulator the bridge talks to
     * @param voiceAi the voice-AI platform emulator whose calls the bridge mirrors and ends
     * @param traffic what the demo generator has sent, such as {@code demoTraffic::counts}
     * @param deadLetters how many records the bridge has dead-lettered so far
     */
    public LiveSummary(EmulatorClient slack, ProviderEmulatorClient voiceAi, Supplier<DemoTraffic.Counts> traffic,
            LongSupplier deadLetters) {
        this.slack = Objects.requireNonNull(slack, "slack");
        this.voiceAi = Objects.requireNonNull(voiceAi, "voiceAi");
        this.traffic = Objects.requireNonNull(traffic, "traffic");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /**
     * Asks the emulators and the counters for the current figures.
     *
     * @throws java.io.UncheckedIOException when an emulator does not answer
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
        var platformCalls = voiceAi.calls();
        VoiceAi voice = new VoiceAi(platformCalls.size(),
                platformCalls.stream().filter(call -> !call.ended()).count(),
                // Only the bridge's End call button asks this platform to end calls.
                voiceAi.endRequests().stream().filter(request -> EndRequest.ENDED.equals(request.outcome())).count(),
                slack.messages().stream().filter(LiveSummary::isAnalysis).count());
        return new Figures(calls.size() - ended, ended, stats.duplicateCallsAdd(), methods, deadLetters.getAsLong(),
                traffic.get(), voice);
    }

    /** The figures as four lines, without a final line break. */
    public static String format(Figures figures) {
        DemoTraffic.Counts sent = figures.traffic();
        VoiceAi voice = figures.voiceAi();
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
                        + count(figures.deadLetters()) + " dead letters",
                "Voice:  " + count(voice.calls()) + " calls on the voice-AI platform (" + count(voice.live()) + " live), "
                        + count(voice.endedFromSlack()) + " ended from Slack, " + count(voice.analyses())
                        + " analyses posted in call threads");
    }

    /** One of the bridge's analysis replies under a call block, by the metadata the bridge gives it. */
    private static boolean isAnalysis(PostedMessage message) {
        return message.isReply() && message.metadata() != null
                && ThreadReply.METADATA_EVENT_TYPE.equals(message.metadata().path("event_type").asText())
                && ThreadReply.ANALYSIS.wireName().equals(message.metadata().path("event_payload").path("reply").asText());
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
     * @param voiceAi what became of the voice-AI platform's calls
     */
    public record Figures(
            long callsLive,
            long callsEnded,
            long duplicateCallsAdd,
            List<MethodLoad> methods,
            long deadLetters,
            DemoTraffic.Counts traffic,
            VoiceAi voiceAi) {

        public Figures {
            methods = List.copyOf(methods);
            Objects.requireNonNull(traffic, "traffic");
            Objects.requireNonNull(voiceAi, "voiceAi");
        }

        /** Requests answered with HTTP 429, over all methods. */
        public long rateLimited() {
            return methods.stream().mapToLong(MethodLoad::rateLimited).sum();
        }
    }

    /** Requests to one Slack method since the emulator started or was reset, and how many got a 429. */
    public record MethodLoad(String method, long requests, long rateLimited) {}

    /**
     * The voice-AI platform's calls.
     *
     * @param calls calls started on the platform
     * @param live those not ended yet
     * @param endedFromSlack those the platform ended through its end-call API, which the End call button calls
     * @param analyses the bridge's analysis replies in Slack, one per analysed call
     */
    public record VoiceAi(long calls, long live, long endedFromSlack, long analyses) {}
}
