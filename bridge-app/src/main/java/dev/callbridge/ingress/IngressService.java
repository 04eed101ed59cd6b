package dev.callbridge.ingress;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callbridge.model.event.CloudEventCodec;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bridge ingress}: a stateless HTTP server that turns webhooks (CloudEvents, Twilio's status
 * callbacks, the voice-AI platform's webhooks) into call events on the input topic, and answers
 * each webhook 2xx only once Kafka has acknowledged its events. Beside them it serves
 * {@code /healthz}, {@code /readyz} (Kafka reachable and the topic there) and {@code /metrics}.
 */
public final class IngressService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngressService.class);
    /** Threads that take connections and answer the probes; webhooks are handed on to the request threads. */
    private static final int SERVER_THREADS = 4;
    /**
     * The JDK server's settings, read once per JVM when its first server is made; a value given with
     * {@code -D} wins. Without TCP_NODELAY an answer's headers and body go as two segments and the
     * second waits for the client's delayed ACK, 40 ms on Linux; without the time limits a client that
     * sends its request (or reads its answer) slowly holds a thread for ever.
     */
    private static final Map<String, String> JDK_SERVER_SETTINGS = Map.of(
            "sun.net.httpserver.nodelay", "true",
            "sun.net.httpserver.maxReqTime", "30",
            "sun.net.httpserver.maxRspTime", "30");

    private final IngressConfig config;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ThreadPoolExecutor workers;
    private ExecutorService serverThreads;
    private EventDelivery delivery;
    private KafkaReachability kafka;
    private HttpServer server;

    public IngressService(IngressConfig config) {
        this(config, Clock.systemUTC());
    }

    /** @param clock what the voice-AI platform's signature times are judged by */
    public IngressService(IngressConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Starts the producer, the Kafka probe and the HTTP server; returns once the server listens. */
    public synchronized IngressService start() {
        LOG.info("Starting bridge ingress: {}", config);
        JDK_SERVER_SETTINGS.forEach((name, value) -> System.setProperty(name, System.getProperty(name, value)));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        IngressMetrics metrics = new IngressMetrics(registry);
        InputRecords records = new InputRecords(new CloudEventCodec(config.maxEventBytes(), clock), config.maxEventBytes());
        delivery = new EventDelivery(config, registry);
        kafka = new KafkaReachability(config.clientProperties(), config.topic()).start();

        workers = new ThreadPoolExecutor(config.requestThreads(), config.requestThreads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.requestQueue()), runnable -> {
                    Thread thread = new Thread(runnable, "ingress-request");
                    thread.setDaemon(true);
                    return thread;
                });
        Gauge.builder("bridge.ingress.requests.waiting", workers, pool -> pool.getQueue().size())
                .description("webhooks waiting for a request thread").register(registry);
        Gauge.builder("bridge.ingress.requests.active", workers, ThreadPoolExecutor::getActiveCount)
                .description("webhooks being served").register(registry);
        serverThreads = Executors.newFixedThreadPool(SERVER_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "ingress-http");
            thread.setDaemon(true);
            return thread;
        });
        try {
            server = HttpServer.create(new InetSocketAddress(config.httpPort()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + config.httpPort() + " for webhooks", e);
        }
        server.setExecutor(serverThreads);
        server.createContext("/healthz", exchange -> text(exchange, 200, "ok\n"));
        server.createContext("/readyz", exchange -> text(exchange, isReady() ? 200 : 503, isReady() ? "ok\n" : "not ok\n"));
        server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        List<String> paths = new ArrayList<>();
        for (Webhook webhook : webhooks(records)) {
            server.createContext(webhook.path(),
                    new WebhookRoute(webhook, workers, delivery, metrics, config.deliveryTimeout()));
            paths.add(webhook.path());
        }
        server.start();
        LOG.info("Bridge ingress listening on port {} for {}, writing to {}", httpPort(), paths, config.topic());
        return this;
    }

    private List<Webhook> webhooks(InputRecords records) {
        List<Webhook> webhooks = new ArrayList<>();
        webhooks.add(new CloudEventsWebhook(records, config.maxEventBytes(), config.maxBatchBytes(),
                config.cloudEventsToken()));
        if (config.twilio() != null) {
            webhooks.add(TwilioWebhook.calls(config.twilio(), config.publicUrl(), records, config.maxEventBytes()));
            webhooks.add(TwilioWebhook.conferences(config.twilio(), config.publicUrl(), records, config.maxEventBytes()));
        }
        if (config.voiceAi() != null) {
            webhooks.add(new VoiceAiWebhook(config.voiceAi(), records, config.maxEventBytes(), clock));
        }
        return webhooks;
    }

    public int httpPort() {
        return server.getAddress().getPort();
    }

    /** Kafka answered and the input topic exists, within the last few seconds. */
    public boolean isReady() {
        return workers != null && !workers.isShutdown() && kafka.reachable();
    }

    /**
     * Turns new webhooks away (503), lets those under way get their answers (each waits at most the
     * delivery timeout), then closes the server and the producer.
     */
    public synchronized void stop() {
        LOG.info("Stopping bridge ingress");
        if (workers != null) {
            workers.shutdown();
            try {
                workers.awaitTermination(config.deliveryTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null) {
            // Every answer is written by now; the JDK's server would otherwise wait out the whole delay.
            server.stop(0);
        }
        if (serverThreads != null) {
            serverThreads.shutdownNow();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (delivery != null) {
            delivery.close();
        }
        LOG.info("Bridge ingress stopped");
    }

    @Override
    public void close() {
        stop();
    }

    private static void text(HttpExchange exchange, int status, String body) throws IOException {
        respond(exchange, status, "text/plain; charset=utf-8", body);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
