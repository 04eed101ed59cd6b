package dev.callbridge.devkit.bench;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.devkit.bench.BenchReport.Ingress;
import dev.callbridge.devkit.ingress.InputTopic;
import dev.callbridge.devkit.ingress.WebhookLoad;
import dev.callbridge.devkit.ingress.WebhookLoad.Answered;
import dev.callbridge.ingress.IngressConfig;
import dev.callbridge.ingress.IngressService;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code bridge ingress} under load: clients each sending signed webhooks back to back (CloudEvents,
 * Twilio conference callbacks, voice-AI webhooks in turn) to an ingress in this JVM, which answers
 * each only after Kafka acknowledged its event ({@code acks=all}). Measures acknowledged webhooks a
 * second and their latency after a warm-up, then checks that every acknowledged event is in the topic.
 */
final class IngressBench {

    private static final String PREFIX = "ing-";

    private final BenchWorld world;
    private final PrintStream log;

    IngressBench(BenchWorld world, PrintStream log) {
        this.world = world;
        this.log = log;
    }

    Ingress run(int clients, Duration warmUp, Duration measured) {
        IngressConfig config = BridgeConfig.load(world.ingressEnvironment(PREFIX, WebhookLoad.ingressSettings()), null, false)
                .ingress();
        world.kafka.createTopics(BenchWorld.PARTITIONS, config.topic());
        world.awaitLeaders(List.of(config.topic()));
        try (IngressService ingress = new IngressService(config).start()) {
            BenchWorld.await(Duration.ofSeconds(60), ingress::isReady, "the ingress to be ready");
            log.printf("ingress: %d clients, %d s to warm up, then %d s measured ...%n", clients, warmUp.toSeconds(),
                    measured.toSeconds());
            WebhookLoad load = new WebhookLoad(ingress.httpPort(), clients).start();
            BenchWorld.sleep(warmUp);
            load.forget();
            long from = System.nanoTime();
            BenchWorld.sleep(measured);
            long until = System.nanoTime();
            List<Answered> answers = load.stop().stream().filter(a -> a.sentNanos() >= from).toList();

            List<Answered> acknowledged = answers.stream()
                    .filter(a -> a.acknowledged() && a.sentNanos() + a.tookNanos() <= until).toList();
            Set<String> inKafka = InputTopic.eventIds(world.kafka.bootstrapServers(), config.topic());
            long lost = answers.stream().filter(Answered::acknowledged).filter(a -> !inKafka.contains(a.eventId())).count();
            List<Double> millis = acknowledged.stream().map(a -> a.tookNanos() / 1e6).sorted().toList();
            Map<String, Long> byKind = new TreeMap<>(acknowledged.stream()
                    .collect(Collectors.groupingBy(Answered::kind, Collectors.counting())));
            long refused = answers.stream().filter(a -> !a.acknowledged()).count();
            double seconds = (until - from) / 1e9;
            Ingress result = new Ingress(clients, Duration.ofNanos(until - from), acknowledged.size(), refused,
                    acknowledged.size() / seconds,
                    millis.isEmpty() ? 0 : LatencyBench.percentile(millis, 50),
                    millis.isEmpty() ? 0 : LatencyBench.percentile(millis, 95),
                    millis.isEmpty() ? 0 : LatencyBench.percentile(millis, 99),
                    millis.isEmpty() ? 0 : millis.get(millis.size() - 1),
                    lost == 0, byKind);
            log.printf("ingress: %,.0f acknowledged webhooks/s, p50 %.1f ms, p99 %.1f ms, %d not 2xx, %s%n",
                    result.acknowledgedPerSecond(), result.p50Millis(), result.p99Millis(), refused,
                    lost == 0 ? "every acknowledged event in Kafka" : lost + " acknowledged events MISSING from Kafka");
            return result;
        }
    }
}
