package dev.callbridge.devkit.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.InvalidEventException;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.provider.HttpProviderClient;
import dev.callbridge.provider.ProviderApiConfig;
import dev.callbridge.provider.emulator.CallSnapshot;
import dev.callbridge.provider.emulator.ProviderEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The demo traffic generator, run for real on short calls against a {@link MockProducer}: what it
 * sends is read back with the bridge's own codec.
 */
class DemoTrafficTest {

    private static final String TOPIC = "telephony.call-events";
    /** A workspace the demo app was installed in through "Add to Slack". */
    private static final String INSTALLED = "T0INSTALLED";
    private static final CloudEventCodec CODEC = new CloudEventCodec();
    /** Fifty calls a second lasting a fraction of one, so a run shows many calls both ended and cut short. */
    private static final DemoTraffic.Settings FAST = DemoTraffic.Settings.defaults()
            .withCallsPerMinute(3000)
            .withCallLength(Duration.ofMillis(150), Duration.ofMillis(400))
            .withBinaryShare(0.3)
            .withDuplicateRate(0.1)
            .withReorderRate(0.2)
            .withMalformedRate(0.05)
            .withSeed(42);

    private static MockProducer<String, byte[]> producer;
    private static DemoTraffic.Counts counts;
    private static List<ProducerRecord<String, byte[]>> sent;
    private static Map<String, List<CallEvent>> eventsByCall;
    private static int invalidRecords;

    @BeforeAll
    static void runTheGeneratorForAWhile() throws InterruptedException {
        producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        DemoTraffic traffic = new DemoTraffic(producer, TOPIC, FAST).alsoIn(() -> List.of(INSTALLED));
        traffic.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> traffic.counts().callsEnded() >= 80);
        traffic.stop();
        counts = traffic.counts();
        sent = producer.history();
        // Anything sent after stop() would show up here.
        Thread.sleep(300);

        eventsByCall = new LinkedHashMap<>();
        for (ProducerRecord<String, byte[]> record : sent) {
            decode(record).ifPresentOrElse(
                    event -> eventsByCall.computeIfAbsent(event.subject(), id -> new ArrayList<>()).add(event),
                    () -> invalidRecords++);
        }
    }

    @Test
    void everyCallStartsOnceAndEndsOnce() {
        assertThat(eventsByCall).hasSize((int) counts.callsStarted());
        assertThat(counts.callsEnded()).isEqualTo(counts.callsStarted());
        eventsByCall.forEach((callId, events) -> {
            assertThat(distinctIds(events, CallEventType.STARTED)).as("call.started of %s", callId).hasSize(1);
            assertThat(distinctIds(events, CallEventType.ENDED)).as("call.ended of %s", callId).hasSize(1);
        });
    }

    @Test
    void callsAreSpreadOverTheDefaultWorkspaceAndTheInstalledOnes() {
        Map<String, Long> byWorkspace = eventsByCall.values().stream()
                .flatMap(List::stream)
                .filter(event -> event.data() instanceof CallEventData.Started)
                .collect(Collectors.groupingBy(event -> String.valueOf(((CallEventData.Started) event.data()).teamId()),
                        Collectors.counting()));

        assertThat(byWorkspace).containsOnlyKeys("null", INSTALLED);
        assertThat(byWorkspace.get(INSTALLED)).as("calls in the installed workspace").isGreaterThan(10);
        assertThat(byWorkspace.get("null")).as("calls in the default workspace").isGreaterThan(10);
    }

    @Test
    void stopEndsTheLiveCallsAndSendsNothingMore() {
        assertThat(producer.history()).hasSize(sent.size());
        assertThat(producer.closed()).isTrue();
        assertThat(sent).hasSize((int) counts.records());
        Set<String> endings = eventsByCall.values().stream()
                .flatMap(List::stream)
                .filter(event -> event.type() == CallEventType.ENDED)
                .map(event -> ((CallEventData.Ended) event.data()).disconnectReason())
                .map(reason -> reason.equals("demo_stopped") ? "cut short by stop()" : "ended as planned")
                .collect(Collectors.toSet());
        assertThat(endings).containsExactlyInAnyOrder("cut short by stop()", "ended as planned");
    }

    @Test
    void everyValidRecordIsACallEventKeyedByItsCall() {
        assertThat(invalidRecords).isEqualTo(counts.malformed());
        for (ProducerRecord<String, byte[]> record : sent) {
            decode(record).ifPresent(event -> {
                assertThat(record.key()).isEqualTo(event.subject());
                assertThat(event.source()).isEqualTo(FAST.source());
            });
        }
        long binaryRecords = sent.stream().filter(record -> record.headers().lastHeader("ce_specversion") != null).count();
        assertThat(binaryRecords).isPositive().isLessThan(sent.size());
    }

    @Test
    void peopleAreSlackUsersOrNamedCallers() {
        eventsByCall.values().stream().flatMap(List::stream).flatMap(DemoTrafficTest::people).forEach(person -> {
                    if (person.slackId() != null) {
                        assertThat(person.slackId()).matches("[UW][A-Z0-9]+");
                    } else {
                        assertThat(person.externalId()).isNotBlank();
                        assertThat(person.displayName()).isNotBlank();
                    }
                });
    }

    @Test
    void duplicatesReordersAndMalformedRecordsComeAtTheirRates() {
        long copies = eventsByCall.values().stream().flatMap(List::stream)
                .collect(Collectors.groupingBy(CallEvent::dedupeKey, Collectors.counting()))
                .values().stream().mapToLong(count -> count - 1).sum();
        assertThat(copies).isEqualTo(counts.duplicates());
        assertThat(eventsByCall.values().stream().mapToLong(events -> distinct(events).size()).sum())
                .isEqualTo(counts.events());

        long swaps = eventsByCall.values().stream().mapToLong(DemoTrafficTest::adjacentSwaps).sum();
        assertThat(swaps).isEqualTo(counts.reordered());

        double events = counts.events();
        assertThat(counts.events()).isGreaterThan(300);
        assertThat(counts.duplicates() / events).isBetween(0.05, 0.16);
        // An event can only be held when it is not its call's last and the one before it was not held.
        assertThat(counts.reordered() / events).isBetween(0.06, 0.22);
        assertThat(counts.malformed() / events).isBetween(0.015, 0.09);
    }

    @Test
    void aShareOfTheCallsIsDialledOnTheVoiceAiPlatformWhoseCallersHangUpAfterTheCallsLength() {
        MockProducer<String, byte[]> kafka = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        try (ProviderEmulator platform = ProviderEmulator.builder().apiKey("key").webhookSecret("secret").build().start()) {
            DemoTraffic traffic = new DemoTraffic(kafka, TOPIC, FAST.withVoiceAiShare(0.4)).dialling(platform.client());
            traffic.start();
            CallSnapshot first = await().atMost(Duration.ofSeconds(20)).until(
                    () -> platform.client().calls().stream().findFirst(), Optional::isPresent).orElseThrow();
            new HttpProviderClient(new ProviderApiConfig(platform.baseUrl(), "key", Duration.ofSeconds(5)))
                    .end(first.callId(), "Ended from Slack by <@U0DEMO>");
            await().atMost(Duration.ofSeconds(20)).until(() -> traffic.counts().callsEnded() >= 60
                    && platform.client().calls().stream().filter(CallSnapshot::ended).count() >= 30);
            traffic.stop();
            List<CallSnapshot> dialled = platform.client().calls();
            Set<String> sentToKafka = producedCallIds(kafka);

            double calls = dialled.size() + traffic.counts().callsStarted();
            double share = dialled.size() / calls;
            // Each call is dialled with probability 0.4, drawn from the Random the events' draws share in
            // an order the clock sets, so even seeded the share of about a hundred calls is a sample
            // (one run measured 0.27): within four standard deviations of 0.4.
            double allowed = 4 * Math.sqrt(0.4 * 0.6 / calls);
            assertThat(share).as("share of %.0f calls dialled on the platform", calls).isBetween(0.4 - allowed, 0.4 + allowed);
            assertThat(sentToKafka).hasSize((int) traffic.counts().callsStarted())
                    .doesNotContainAnyElementsOf(dialled.stream().map(CallSnapshot::callId).toList());
            assertThat(dialled).allSatisfy(call -> assertThat(call.ended()).as("ended: %s", call).isTrue());
            assertThat(platform.client().call(first.callId()).orElseThrow().disconnectReason())
                    .as("a call ended from Slack before its caller hung up").isEqualTo("Ended from Slack by <@U0DEMO>");
            Map<String, List<CallSnapshot>> byReason = dialled.stream().filter(call -> !call.callId().equals(first.callId()))
                    .collect(Collectors.groupingBy(call -> call.disconnectReason().equals("demo_stopped")
                            ? "still live at stop()" : call.disconnectReason()));
            assertThat(byReason.keySet())
                    .contains("still live at stop()")
                    .containsAnyOf("user_hangup", "agent_hangup", "voicemail_reached")
                    .isSubsetOf("still live at stop()", "user_hangup", "agent_hangup", "voicemail_reached");
            byReason.entrySet().stream().filter(entry -> !entry.getKey().equals("still live at stop()"))
                    .flatMap(entry -> entry.getValue().stream())
                    .forEach(call -> assertThat(Duration.between(Instant.parse(call.startedAt()), Instant.parse(call.endedAt())))
                            .as("hung up after the call's length: %s", call)
                            .isBetween(FAST.shortestCall(), FAST.longestCall().plusSeconds(2)));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "TRUNCATED, UNPARSEABLE",
        "UNKNOWN_TYPE, UNKNOWN_TYPE",
        "NO_SUBJECT, MISSING_FIELD",
        "NO_JOIN_URL, MISSING_FIELD",
        "BAD_TIME, INVALID_FIELD"})
    void everyMalformedRecordIsRejectedByTheBridgesCodec(MalformedRecords.Flaw flaw, RejectReason reason) {
        ProducerRecord<String, byte[]> record = new MalformedRecords(TOPIC, "urn:test", CODEC).record(flaw, "bad-1");

        assertThat(record.key()).isEqualTo("bad-1");
        assertThatThrownBy(() -> CODEC.decode(record.value(), headers(record)))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void aStoppedGeneratorStaysStopped() {
        MockProducer<String, byte[]> idle = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        DemoTraffic traffic = new DemoTraffic(idle, TOPIC, FAST);
        traffic.stop();

        assertThat(idle.closed()).isTrue();
        assertThatThrownBy(traffic::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsRefuseRatesOutsideZeroToOne() {
        assertThatThrownBy(() -> FAST.withDuplicateRate(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicateRate");
        assertThatThrownBy(() -> FAST.withCallLength(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The calls whose events went to Kafka. */
    private static Set<String> producedCallIds(MockProducer<String, byte[]> kafka) {
        return kafka.history().stream().map(DemoTrafficTest::decode).flatMap(Optional::stream).map(CallEvent::subject)
                .collect(Collectors.toSet());
    }

    private static Optional<CallEvent> decode(ProducerRecord<String, byte[]> record) {
        try {
            return Optional.of(CODEC.decode(record.value(), headers(record)));
        } catch (InvalidEventException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> headers(ProducerRecord<String, byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key().toLowerCase(Locale.ROOT), CloudEventCodec.headerText(header.value()));
        }
        return headers;
    }

    private static Stream<Participant> people(CallEvent event) {
        if (event.data() instanceof CallEventData.Started started) {
            return started.participants().stream();
        }
        if (event.data() instanceof CallEventData.Joined joined) {
            return Stream.of(joined.participant());
        }
        if (event.data() instanceof CallEventData.Left left) {
            return Stream.of(left.participant());
        }
        return Stream.empty();
    }

    private static Set<String> distinctIds(List<CallEvent> events, CallEventType type) {
        return events.stream().filter(event -> event.type() == type).map(CallEvent::id).collect(Collectors.toSet());
    }

    private static List<CallEvent> distinct(List<CallEvent> events) {
        Map<String, CallEvent> first = new LinkedHashMap<>();
        events.forEach(event -> first.putIfAbsent(event.id(), event));
        return List.copyOf(first.values());
    }

    /** Events whose successor in the call's history reached the topic before them. */
    private static long adjacentSwaps(List<CallEvent> events) {
        List<Integer> positions = distinct(events).stream()
                .map(event -> Integer.parseInt(event.id().substring(event.id().lastIndexOf('-') + 1)))
                .toList();
        long swaps = 0;
        for (int i = 1; i < positions.size(); i++) {
            if (positions.get(i) < positions.get(i - 1)) {
                swaps++;
            }
        }
        return swaps;
    }
}
