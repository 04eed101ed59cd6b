package dev.callbridge.devkit.local;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.provider.emulator.CallSnapshot;
import dev.callbridge.provider.emulator.ProviderEmulatorClient;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces made-up but lifelike call lifecycles to the call-events topic, as a telephony system
 * would, with the duplicates, reordering and bad records the bridge has to cope with.
 *
 * <p>Calls arrive at random (a Poisson process at the configured rate); each has a title, a join
 * link, sometimes its own channel, one to {@link Settings#maxParticipants()} people (Slack users and
 * outside callers) who join over its first stretch, some of whom leave and come back, now and then a
 * new title, and an end after a length drawn from the configured range. Everything runs on one
 * scheduler thread, so the per-call state needs no locks.
 *
 * <p>Given a voice-AI platform ({@link #dialling}), a share of the calls are dialled there instead: the
 * platform tells the bridge of them through its webhooks, and the caller hangs up after the call's length
 * unless the call was ended before, say from Slack.
 */
public final class DemoTraffic implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoTraffic.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final String STOPPED_REASON = "demo_stopped";

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Settings settings;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final MalformedRecords malformed;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "demo-traffic");
        thread.setDaemon(true);
        return thread;
    });

    // Touched only on the scheduler thread.
    private final Random random;
    private final Map<String, LiveCall> live = new LinkedHashMap<>();
    private boolean stopping;
    private volatile Supplier<List<String>> otherWorkspaces = List::of;
    private volatile ProviderEmulatorClient platform;
    /** Calls dialled on the platform whose caller has not hung up yet. */
    private final Set<String> dialled = new LinkedHashSet<>();

    // Read from any thread.
    private final AtomicLong callsStarted = new AtomicLong();
    private final AtomicLong callsEnded = new AtomicLong();
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final AtomicLong malformedSent = new AtomicLong();

    private boolean started;
    private boolean stopped;

    /**
     * A generator that sends through {@code producer}, which it owns from now on and closes on
     * {@link #stop()}.
     */
    public DemoTraffic(Producer<String, byte[]> producer, String topic, Settings settings) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = new Random(settings.seed());
        this.malformed = new MalformedRecords(topic, settings.source(), codec);
    }

    /** A generator with its own {@link KafkaProducer} on {@code bootstrapServers}. */
    public static DemoTraffic toBroker(String bootstrapServers, String topic, Settings settings) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "demo-traffic",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // An unreachable broker shows as a warning within seconds instead of a minute's stall.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return new DemoTraffic(new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()),
                topic, settings);
    }

    /** Spreads the calls over these workspaces too, asked again for each call: those the app was installed in. */
    public DemoTraffic alsoIn(Supplier<List<String>> workspaces) {
        this.otherWorkspaces = workspaces;
        return this;
    }

    /** Dials {@link Settings#voiceAiShare()} of the calls on this voice-AI platform instead of sending their events. */
    public DemoTraffic dialling(ProviderEmulatorClient voiceAiPlatform) {
        this.platform = Objects.requireNonNull(voiceAiPlatform, "voiceAiPlatform");
        return this;
    }

    /**
     * Starts the first call now and keeps calls coming until {@link #stop()}.
     *
     * @throws IllegalStateException if started or stopped before: a stopped generator has closed its producer
     */
    public synchronized void start() {
        if (started || stopped) {
            throw new IllegalStateException("a demo traffic generator starts only once");
        }
        started = true;
        scheduler.execute(guarded(this::startCall));
    }

    /**
     * Stops starting calls, ends every call still live (with {@code disconnect_reason}
     * {@value #STOPPED_REASON}, so no call is left open in the topic; a call dialled on the platform is
     * hung up with that reason), then flushes and closes the producer. Does nothing the second time.
     */
    public void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        try {
            scheduler.submit(guarded(this::endLiveCalls)).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Demo traffic could not end its live calls", e);
        } finally {
            scheduler.shutdownNow();
            producer.close(STOP_TIMEOUT);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** What has been sent so far. */
    public Counts counts() {
        return new Counts(callsStarted.get(), callsEnded.get(), eventsSent.get(), duplicates.get(), reordered.get(),
                malformedSent.get());
    }

    private void startCall() {
        if (stopping) {
            return;
        }
        scheduler.schedule(guarded(this::startCall), nextArrivalMillis(), TimeUnit.MILLISECONDS);
        // No draw without a platform, so a seeded run without one repeats the calls it always made.
        if (platform != null && random.nextDouble() < settings.voiceAiShare()) {
            dial(DialledCall.plan(random, settings));
            return;
        }
        List<String> others = otherWorkspaces.get();
        // As many calls in each other workspace as in the default one; no draw at all without others.
        int pick = others.isEmpty() ? 0 : random.nextInt(others.size() + 1);
        CallScript script = CallScript.plan(random, settings, pick == 0 ? null : others.get(pick - 1));
        LiveCall call = new LiveCall(script, script.events(settings.source(), Instant.now()), System.nanoTime());
        live.put(script.callId(), call);
        callsStarted.incrementAndGet();
        play(call);
    }

    /** Starts the call on the platform and has its caller hang up once its length has passed. */
    private void dial(DialledCall call) {
        String callId = platform.start(call.start()).callId();
        dialled.add(callId);
        scheduler.schedule(guarded(() -> hangUp(callId, call.hangUpReason())), call.length().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Hangs the call up, unless the caller did already or it was ended some other way (from Slack, say). */
    private void hangUp(String callId, String reason) {
        if (!dialled.remove(callId)) {
            return;
        }
        try {
            platform.hangUp(callId, reason);
        } catch (IllegalStateException refused) {
            // The platform refuses to end a call twice: one ended from Slack is no failure.
            if (!platform.call(callId).map(CallSnapshot::ended).orElse(false)) {
                throw refused;
            }
        }
    }

    /** Schedules the call's step after next, then sends its next step's event. */
    private void play(LiveCall call) {
        if (stopping) {
            return;
        }
        ProducerRecord<String, byte[]> record = record(call, call.script.write(call.next++, call.events));
        boolean last = call.next == call.script.steps().size();
        if (last) {
            live.remove(call.script.callId());
            callsEnded.incrementAndGet();
        } else {
            long dueNanos = call.startNanos + call.script.steps().get(call.next).at().toNanos();
            scheduler.schedule(guarded(() -> play(call)), Math.max(0, dueNanos - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
        if (call.held != null) {
            // The held event goes right after its successor: the two arrive swapped.
            sendEvent(record);
            sendEvent(call.held);
            call.held = null;
            reordered.incrementAndGet();
        } else if (!last && random.nextDouble() < settings.reorderRate()) {
            call.held = record;
        } else {
            sendEvent(record);
        }
    }

    private void endLiveCalls() {
        stopping = true;
        for (LiveCall call : live.values()) {
            if (call.held != null) {
                sendEvent(call.held);
            }
            Duration sinceLastEvent = Duration.between(call.events.now(), Instant.now());
            call.events.after(sinceLastEvent.isNegative() ? Duration.ZERO : sinceLastEvent);
            sendEvent(record(call, call.events.ended(null, STOPPED_REASON)));
            callsEnded.incrementAndGet();
        }
        live.clear();
        for (String callId : List.copyOf(dialled)) {
            guarded(() -> hangUp(callId, STOPPED_REASON)).run();
        }
    }

    /** Sends one event, maybe twice, and now and then a bad record after it. */
    private void sendEvent(ProducerRecord<String, byte[]> record) {
        send(record);
        eventsSent.incrementAndGet();
        if (random.nextDouble() < settings.duplicateRate()) {
            send(record);
            duplicates.incrementAndGet();
        }
        if (random.nextDouble() < settings.malformedRate()) {
            send(malformed.next(random));
            malformedSent.incrementAndGet();
        }
    }

    private void send(ProducerRecord<String, byte[]> record) {
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                LOG.warn("Demo traffic could not send an event of call {}: {}", record.key(), error.toString());
            }
        });
    }

    private ProducerRecord<String, byte[]> record(LiveCall call, CallEvent event) {
        if (call.script.binary()) {
            CloudEventCodec.BinaryEvent binary = codec.encodeBinary(event);
            return CallEventRecords.record(topic, event.subject(), binary.headers(), binary.data());
        }
        return CallEventRecords.structured(topic, event.subject(), codec.encodeStructured(event));
    }

    /** Exponential gaps between arrivals, which is what independent callers produce. */
    private long nextArrivalMillis() {
        double meanMillis = 60_000 / settings.callsPerMinute();
        return Math.round(-Math.log(1 - random.nextDouble()) * meanMillis);
    }

    /**
     * Logs what the scheduler would swallow without a trace. Each task schedules its follow-up before
     * it sends anything, so a failed send costs one record, not the rest of a call or of the traffic.
     */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("Demo traffic step failed", e);
            }
        };
    }

    /** A call between its start and its end, with the event held back to be swapped with the next one. */
    private static final class LiveCall {
        final CallScript script;
        final CallEvents events;
        final long startNanos;
        int next;
        ProducerRecord<String, byte[]> held;

        LiveCall(CallScript script, CallEvents events, long startNanos) {
            this.script = script;
            this.events = events;
            this.startNanos = startNanos;
        }
    }

    /**
     * How much traffic to make and how messy.
     *
     * @param callsPerMinute the average rate at which calls start
     * @param shortestCall the shortest a call lasts, start to end
     * @param longestCall the longest a call lasts
     * @param maxParticipants the most people on one call; each call has one up to this many
     * @param binaryShare the share of calls whose events are sent in binary mode
     * @param duplicateRate the chance that an event is sent a second time right after the first
     * @param reorderRate the chance that an event is held back and sent after the next event of its call
     * @param malformedRate the chance that an invalid record follows an event
     * @param voiceAiShare the share of calls dialled on the voice-AI platform, when the generator has one
     * @param source the CloudEvents {@code source} of every event
     * @param seed the seed of every random choice, so a run can be repeated
     */
    public record Settings(
            double callsPerMinute,
            Duration shortestCall,
            Duration longestCall,
            int maxParticipants,
            double binaryShare,
            double duplicateRate,
            double reorderRate,
            double malformedRate,
            double voiceAiShare,
            String source,
            long seed) {

        public Settings {
            if (!(callsPerMinute > 0)) {
                throw new IllegalArgumentException("callsPerMinute must be positive, was " + callsPerMinute);
            }
            Objects.requireNonNull(shortestCall, "shortestCall");
            Objects.requireNonNull(longestCall, "longestCall");
            if (shortestCall.isNegative() || shortestCall.isZero() || longestCall.compareTo(shortestCall) < 0) {
                throw new IllegalArgumentException("calls must last a positive time with shortestCall <= longestCall, were "
                        + shortestCall + " and " + longestCall);
            }
            if (maxParticipants < 1 || maxParticipants > CallScript.castSize()) {
                throw new IllegalArgumentException("maxParticipants must be between 1 and " + CallScript.castSize()
                        + ", was " + maxParticipants);
            }
            requireShare("binaryShare", binaryShare);
            requireShare("duplicateRate", duplicateRate);
            requireShare("reorderRate", reorderRate);
            requireShare("malformedRate", malformedRate);
            requireShare("voiceAiShare", voiceAiShare);
            if (source == null || source.isBlank()) {
                throw new IllegalArgumentException("source must not be empty");
            }
        }

        /**
         * A dozen calls a minute lasting 20 to 90 seconds, so a demo shows calls both live and
         * ended; a little of every kind of mess; a quarter of the calls on the voice-AI platform, given
         * one; a new seed each time.
         */
        public static Settings defaults() {
            return new Settings(12, Duration.ofSeconds(20), Duration.ofSeconds(90), 6, 0.3, 0.05, 0.05, 0.01, 0.25,
                    "urn:callbridge:demo-pbx", new Random().nextLong());
        }

        public Settings withCallsPerMinute(double rate) {
            return new Settings(rate, shortestCall, longestCall, maxParticipants, binaryShare, duplicateRate,
                    reorderRate, malformedRate, voiceAiShare, source, seed);
        }

        public Settings withCallLength(Duration shortest, Duration longest) {
            return new Settings(callsPerMinute, shortest, longest, maxParticipants, binaryShare, duplicateRate,
                    reorderRate, malformedRate, voiceAiShare, source, seed);
        }

        public Settings withBinaryShare(double share) {
            return new Settings(callsPerMinute, shortestCall, longestCall, maxParticipants, share, duplicateRate,
                    reorderRate, malformedRate, voiceAiShare, source, seed);
        }

        public Settings withDuplicateRate(double rate) {
            return new Settings(callsPerMinute, shortestCall, longestCall, maxParticipants, binaryShare, rate,
                    reorderRate, malformedRate, voiceAiShare, source, seed);
        }

        public Settings withReorderRate(double rate) {
            return new Settings(callsPerMinute, shortestCall, longestCall, maxParticipants, binaryShare, duplicateRate,
                    rate, malformedRate, voiceAiShare, source, seed);
        }

        public Settings withMalformedRate(double rate) {
            return new Settings(callsPerMinute, shortestCall, longestCall, maxParticipants, binaryShare, duplicateRate,
                    reorderRate, rate, voiceAiShare, source, seed);
        }

        public Settings withVoiceAiShare(double share) {
            return new Settings(callsPerMinute, shortestCall, longestCall, maxParticipants, binaryShare, duplicateRate,
                    reorderRate, malformedRate, share, source, seed);
        }

        public Settings withSeed(long newSeed) {
            return new Settings(callsPerMinute, shortestCall, longestCall, maxParticipants, binaryShare, duplicateRate,
                    reorderRate, malformedRate, voiceAiShare, source, newSeed);
        }

        private static void requireShare(String name, double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(name + " must be between 0 and 1, was " + value);
            }
        }
    }

    /**
     * What the generator has sent.
     *
     * @param callsStarted calls begun whose events go to Kafka, whether or not their {@code call.started}
     *     has gone out yet; calls dialled on the voice-AI platform are the platform's to count
     * @param callsEnded calls whose {@code call.ended} has gone out
     * @param events distinct valid events sent, each counted once
     * @param duplicates extra copies of events sent
     * @param reordered pairs of events of one call sent in swapped order
     * @param malformed invalid records sent, all bound for the dead-letter topic
     */
    public record Counts(long callsStarted, long callsEnded, long events, long duplicates, long reordered,
            long malformed) {

        /** Every record sent: events, their copies and the invalid ones. */
        public long records() {
            return events + duplicates + malformed;
        }
    }
}
