package dev.callbridge.devkit.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.devkit.bench.BenchReport.DecodeSlice;
import dev.callbridge.devkit.bench.BenchReport.Decoding;
import dev.callbridge.devkit.local.CallEventRecords;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventSerde;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.InvalidEventException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decoding: input records turned into call events by the input topic's deserializer, in process on
 * one thread and without a broker. The records are call lifecycles, town-hall calls starting with a
 * hundred people and records with a producer's mistake, in structured and in binary mode.
 */
final class DecodeBench {

    private static final int CALLS = 1_800;
    /** One town-hall start and one invalid record come with every this many lifecycle events: 90/5/5. */
    private static final int EVENTS_PER_ODD_RECORD = 18;
    private static final int PEOPLE_ON_A_TOWN_HALL = 100;
    private static final int ROUNDS = 10;
    /** Records decoded between looks at the clock; a look costs far less than one decode. */
    private static final int CLOCK_EVERY = 16;
    private static final String TOPIC = "telephony.call-events";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final CloudEventCodec codec = new CloudEventCodec();
    private final Deserializer<CallEvent> deserializer = new CallEventSerde(codec).deserializer();
    private final PrintStream log;
    /** What the decoded events add up to, printed at the end so that the JIT cannot drop the decoding. */
    private long sink;

    DecodeBench(PrintStream log) {
        this.log = log;
    }

    /** One record as the deserializer sees it. */
    private record Input(Headers headers, byte[] value) {

        /** Counted as the codec's size limit counts: the value and the text of the headers. */
        int size() {
            int size = value.length;
            for (Header header : headers) {
                size += header.key().length() + header.value().length;
            }
            return size;
        }
    }

    Decoding run(Duration warmUp, Duration perSlice) {
        List<Input> structured = new ArrayList<>();
        List<Input> binary = new ArrayList<>();
        for (int n = 0; n < CALLS; n++) {
            for (CallEvent event : BenchCalls.lifecycle("dec-call-" + n, n)) {
                // Half the calls come from a producer writing each mode.
                if (n % 2 == 0) {
                    structured.add(structured(event));
                } else {
                    binary.add(binary(event, headers -> { }));
                }
            }
        }
        int oddRecords = CALLS * BenchCalls.LIFECYCLE_EVENTS / EVENTS_PER_ODD_RECORD;
        List<Input> townHalls = IntStream.range(0, oddRecords).mapToObj(n -> {
            CallEvent started = BenchCalls.townHall("dec-big-" + n, n, PEOPLE_ON_A_TOWN_HALL);
            return n % 2 == 0 ? structured(started) : binary(started, headers -> { });
        }).toList();
        List<Input> invalid = IntStream.range(0, oddRecords).mapToObj(this::invalid).toList();
        if (rejected(structured) + rejected(binary) + rejected(townHalls) != 0 || rejected(invalid) != invalid.size()) {
            throw new IllegalStateException("decoding: the codec does not take exactly the valid records");
        }
        List<Input> mix = new ArrayList<>(structured);
        mix.addAll(binary);
        mix.addAll(townHalls);
        mix.addAll(invalid);
        Collections.shuffle(mix, new Random(18));
        Map<String, List<Input>> slices = new LinkedHashMap<>();
        slices.put("mix", mix);
        slices.put("structured", structured);
        slices.put("binary", binary);
        slices.put("participant-heavy", townHalls);
        slices.put("invalid", invalid);

        log.printf("decoding: %,d records (%,d lifecycle events, %,d town-hall starts, %,d invalid), "
                + "%d s to warm up, then %d s per slice ...%n", mix.size(), structured.size() + binary.size(),
                townHalls.size(), invalid.size(), warmUp.toSeconds(), perSlice.toSeconds());
        decodeFor(mix.toArray(Input[]::new), warmUp);
        List<DecodeSlice> figures = new ArrayList<>();
        slices.forEach((name, records) -> {
            DecodeSlice slice = measure(name, records, perSlice);
            log.printf("decoding: %-17s %,6d records, %,6.0f bytes on average: %,9.0f events/s, %,6.0f ns/event "
                    + "(%s of CPU), %s allocated/event%n", name, slice.records(), slice.averageRecordBytes(),
                    slice.eventsPerSecond(), slice.nanosPerEvent(),
                    slice.cpuNanosPerEvent() < 0 ? "n/a" : String.format(Locale.ROOT, "%,.0f ns", slice.cpuNanosPerEvent()),
                    slice.allocatedBytesPerEvent() < 0 ? "n/a"
                            : String.format(Locale.ROOT, "%,.0f bytes", slice.allocatedBytesPerEvent()));
            figures.add(slice);
        });
        log.printf("decoding: done (checksum %d)%n", sink);
        return new Decoding(warmUp, perSlice, ROUNDS, figures);
    }

    /**
     * The median of {@link #ROUNDS} timed rounds, by the clock and by this thread's CPU time (which
     * other processes on the machine disturb less), and what this thread allocated over all of them.
     */
    private DecodeSlice measure(String name, List<Input> records, Duration duration) {
        double averageBytes = records.stream().mapToInt(Input::size).average().orElse(0);
        int rejected = rejected(records);
        Input[] inputs = records.toArray(Input[]::new);
        long[] nanosPerEvent = new long[ROUNDS];
        long[] cpuNanosPerEvent = new long[ROUNDS];
        long decoded = 0;
        long allocatedBefore = allocatedBytes();
        for (int round = 0; round < ROUNDS; round++) {
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long count = decodeFor(inputs, duration.dividedBy(ROUNDS));
            nanosPerEvent[round] = (System.nanoTime() - start) / count;
            cpuNanosPerEvent[round] = cpuStart < 0 ? -1 : (THREADS.getCurrentThreadCpuTime() - cpuStart) / count;
            decoded += count;
        }
        long allocatedAfter = allocatedBytes();
        double median = median(nanosPerEvent);
        return new DecodeSlice(name, records.size(), averageBytes, rejected, 1e9 / median, median,
                median(cpuNanosPerEvent), allocatedBefore < 0 ? -1 : (double) (allocatedAfter - allocatedBefore) / decoded);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Decodes the records over and over until {@code duration} is up; returns how many it decoded. */
    private long decodeFor(Input[] inputs, Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        long count = 0;
        int next = 0;
        do {
            for (int i = 0; i < CLOCK_EVERY; i++) {
                sink += decode(inputs[next]);
                next = next + 1 == inputs.length ? 0 : next + 1;
            }
            count += CLOCK_EVERY;
        } while (System.nanoTime() < deadline);
        return count;
    }

    /** What the topology takes from a record: an event, or a rejection whose violations go into a dead letter. */
    private int decode(Input input) {
        try {
            return deserializer.deserialize(TOPIC, input.headers(), input.value()).subject().length();
        } catch (InvalidEventException e) {
            return e.getMessage().length();
        }
    }

    private int rejected(List<Input> records) {
        int rejected = 0;
        for (Input input : records) {
            try {
                deserializer.deserialize(TOPIC, input.headers(), input.value());
            } catch (InvalidEventException e) {
                rejected++;
            }
        }
        return rejected;
    }

    /** Bytes this thread has allocated so far, or -1 where the JVM does not count them. */
    private static long allocatedBytes() {
        if (THREADS instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    /** A record with one mistake of a real producer; between them every reason but oversize, in both modes. */
    private Input invalid(int n) {
        CallEvent started = BenchCalls.started("dec-bad-" + n, n);
        String header = CloudEventCodec.BINARY_HEADER_PREFIX;
        return switch (n % 10) {
            case 0 -> {
                byte[] whole = codec.encodeStructured(started);
                yield structured(Arrays.copyOf(whole, whole.length / 2));
            }
            case 1 -> structured(CallEventRecords.edited(codec, started, root -> root.put("type", "call.transferred")));
            case 2 -> structured(CallEventRecords.edited(codec, started, root -> root.remove("specversion")));
            case 3 -> structured(CallEventRecords.edited(codec, started, root -> ((ObjectNode) root.get("data")).remove("join_url")));
            case 4 -> structured(CallEventRecords.edited(codec, started, root -> ((ObjectNode) root.get("data")).put("join_url", "/j/" + n)));
            case 5 -> structured(CallEventRecords.edited(codec, started, root -> root.put("data_base64", "e30=").remove("data")));
            case 6 -> binary(started, headers -> headers.put(header + "time", "yesterday at noon"));
            case 7 -> binary(started, headers -> headers.remove(header + "subject"));
            case 8 -> binary(started, headers -> headers.put(header + "sequence", "-3"));
            default -> binary(started, headers -> headers.put(CloudEventCodec.CONTENT_TYPE_HEADER, "text/plain"));
        };
    }

    private Input structured(CallEvent event) {
        return structured(codec.encodeStructured(event));
    }

    private static Input structured(byte[] value) {
        return new Input(headers(Map.of(CloudEventCodec.CONTENT_TYPE_HEADER, CloudEventCodec.STRUCTURED_CONTENT_TYPE)),
                value);
    }

    private Input binary(CallEvent event, Consumer<Map<String, String>> edit) {
        CloudEventCodec.BinaryEvent binary = codec.encodeBinary(event);
        Map<String, String> headers = new LinkedHashMap<>(binary.headers());
        edit.accept(headers);
        return new Input(headers(headers), binary.data());
    }

    private static Headers headers(Map<String, String> text) {
        RecordHeaders headers = new RecordHeaders();
        text.forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }
}
