package dev.callbridge.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.ingress.IngressClient.Answer;
import dev.callbridge.model.event.CallEvents;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.testkit.BridgeSettings;
import dev.callbridge.testkit.ProviderWebhooks;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * More webhooks at once than the ingress has request threads and places in line: the rest are
 * answered 503 at once, not queued for ever. Kafka here is an address where nothing answers, so
 * every webhook that gets a thread holds it for the whole delivery timeout.
 */
class IngressOverloadTest {

    private static final int AT_ONCE = 8;

    @Test
    void webhooksBeyondTheThreadsAndTheirLineAreAnswered503AtOnce() throws Exception {
        BridgeConfig config = BridgeConfig.load(BridgeSettings.forIngress("127.0.0.1:" + closedPort(), "overload-")
                .with("BRIDGE_INGRESS_REQUEST_THREADS", "1")
                .with("BRIDGE_INGRESS_REQUEST_QUEUE", "1")
                .with("BRIDGE_INGRESS_DELIVERY_TIMEOUT", "3s")
                .variables(), null, false);
        CloudEventCodec codec = new CloudEventCodec();
        ExecutorService senders = Executors.newFixedThreadPool(AT_ONCE);
        try (IngressService ingress = new IngressService(config.ingress()).start()) {
            IngressClient client = new IngressClient(ingress.httpPort());
            client.get("/healthz");
            CyclicBarrier together = new CyclicBarrier(AT_ONCE);
            List<CompletableFuture<Timed>> answers = new ArrayList<>();
            for (int i = 0; i < AT_ONCE; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    byte[] event = codec.encodeStructured(CallEvents.unsequenced(UUID.randomUUID().toString(),
                            "urn:test:overload", Instant.now()).started("https://pbx.example.com/join/busy"));
                    try {
                        together.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long start = System.nanoTime();
                    Answer answer = client.send(ProviderWebhooks.cloudEvent(event));
                    return new Timed(answer, Duration.ofNanos(System.nanoTime() - start));
                }, senders));
            }

            List<Timed> done = answers.stream().map(CompletableFuture::join).toList();

            assertThat(done).allSatisfy(timed -> assertThat(timed.answer().status()).isEqualTo(503));
            // One holds the thread until Kafka's timeout, one waits in line as long; the others are turned away at once.
            List<Timed> turnedAway = done.stream().filter(t -> t.took().compareTo(Duration.ofSeconds(1)) < 0).toList();
            assertThat(turnedAway).hasSize(AT_ONCE - 2).allSatisfy(timed -> {
                assertThat(timed.answer().body().path("error").asText()).isEqualTo("busy");
                assertThat(timed.answer().retryAfter()).isEqualTo("1");
            });
            assertThat(client.text("/metrics"))
                    .contains("bridge_ingress_requests_total{endpoint=\"cloudevents\",outcome=\"busy\"}");
        } finally {
            senders.shutdownNow();
        }
    }

    private record Timed(Answer answer, Duration took) {}

    /** A port nothing listens on once this returns. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
