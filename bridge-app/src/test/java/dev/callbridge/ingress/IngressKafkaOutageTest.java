package dev.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.ingress.IngressClient.Answer;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.EmbeddedKafka;
import dev.callbridge.testkit.ProviderWebhooks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Kafka goes away while webhooks keep coming: the ingress answers them 503 with {@code Retry-After}
 * within its delivery timeout, says it is not ready, and never answers 2xx for an event Kafka does
 * not have. The broker is this test's own, since it is stopped and started again.
 */
class IngressKafkaOutageTest {

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(1);
    private static final int SENDERS = 4;

    private final CloudEventCodec codec = new CloudEventCodec();
    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean(true);

    /** One webhook and its answer, with how long the answer took. */
    private record Sent(String eventId, Answer answer, Duration took, Instant at) {}

    @Test
    void whileTheBrokerIsDownWebhooksAreAnswered503AndEveryAcknowledgedEventIsInKafka() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            BridgeConfig config = BridgeConfig.load(BridgeSettings.forIngress(kafka.bootstrapServers(), "outage-")
                    .with("BRIDGE_INGRESS_DELIVERY_TIMEOUT", DELIVERY_TIMEOUT.toMillis() + "ms")
                    .variables(), null, false);
            String topic = config.ingress().topic();
            kafka.createTopics(3, topic);
            IngressService ingress = new IngressService(config.ingress()).start();
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            try {
                await().atMost(Duration.ofSeconds(30)).until(ingress::isReady);
                IngressClient client = new IngressClient(ingress.httpPort());
                for (int i = 0; i < SENDERS; i++) {
                    senders.execute(() -> sendUntilStopped(client));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> answered(200, Instant.MIN) >= 50);

                kafka.stopBroker();
                Instant stopped = Instant.now();
                await().atMost(Duration.ofSeconds(60)).until(() -> answered(503, stopped) >= 20);
                await().atMost(Duration.ofSeconds(30)).until(() -> !ingress.isReady());
                assertThat(client.get("/readyz").status()).isEqualTo(503);

                kafka.restartBroker();
                Instant restarted = Instant.now();
                await().atMost(Duration.ofSeconds(60)).until(() -> answered(200, restarted) >= 50);
                await().atMost(Duration.ofSeconds(30)).until(ingress::isReady);
                sending.set(false);
                senders.shutdown();
                assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

                assertThat(sent).allSatisfy(webhook -> assertThat(webhook.answer().status()).isIn(200, 503));
                List<Sent> refused = sent.stream().filter(webhook -> webhook.answer().status() == 503).toList();
                assertThat(refused).allSatisfy(webhook -> {
                    assertThat(webhook.answer().retryAfter()).isEqualTo("5");
                    assertThat(webhook.answer().body().path("error").asText()).isEqualTo("kafka_unavailable");
                    assertThat(webhook.took()).isLessThan(DELIVERY_TIMEOUT.plusSeconds(2));
                });
                Set<String> inKafka = CommittedRecords.readAll(kafka.bootstrapServers(), topic).stream()
                        .map(record -> codec.decode(record.value(), Map.of()).id())
                        .collect(Collectors.toSet());
                List<String> acknowledged = sent.stream().filter(webhook -> webhook.answer().status() == 200)
                        .map(Sent::eventId).toList();
                assertThat(inKafka).containsAll(acknowledged);
            } finally {
                sending.set(false);
                senders.shutdownNow();
                ingress.stop();
            }
        }
    }

    private void sendUntilStopped(IngressClient client) {
        while (sending.get()) {
            CallEvent started = CallEvents.unsequenced(UUID.randomUUID().toString(), "urn:test:outage", Instant.now())
                    .started("https://pbx.example.com/join/outage");
            long start = System.nanoTime();
            Answer answer = client.send(ProviderWebhooks.cloudEvent(codec.encodeStructured(started)));
            sent.add(new Sent(started.id(), answer, Duration.ofNanos(System.nanoTime() - start), Instant.now()));
        }
    }

    private long answered(int status, Instant since) {
        return sent.stream().filter(webhook -> webhook.answer().status() == status && webhook.at().isAfter(since)).count();
    }
}
