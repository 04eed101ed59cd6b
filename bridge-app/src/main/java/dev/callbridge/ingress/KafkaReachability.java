package dev.callbridge.ingress;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the ingress can write to Kafka: within the last few seconds the cluster answered, and the
 * input topic exists with a leader for every partition. Asked on a thread of its own, so {@code /readyz} answers at once.
 */
final class KafkaReachability implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaReachability.class);
    private static final Duration EVERY = Duration.ofSeconds(2);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    /** Readiness holds this long after the last good answer, so one slow probe does not take the ingress out. */
    private static final Duration KEPT = Duration.ofSeconds(10);

    private final Admin admin;
    private final String topic;
    private final ScheduledExecutorService probes = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ingress-kafka-probe");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long lastReachedNanos;
    private volatile boolean reachedOnce;
    private volatile String lastProblem = "";

    KafkaReachability(Map<String, Object> clientProperties, String topic) {
        Map<String, Object> adminProperties = clientProperties.entrySet().stream()
                .filter(e -> AdminClientConfig.configNames().contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        this.admin = Admin.create(adminProperties);
        this.topic = topic;
    }

    KafkaReachability start() {
        probes.scheduleWithFixedDelay(this::probe, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    boolean reachable() {
        return reachedOnce && System.nanoTime() - lastReachedNanos < KEPT.toNanos();
    }

    private void probe() {
        String problem;
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            long leaderless = description.partitions().stream()
                    .filter(partition -> partition.leader() == null || partition.leader().isEmpty()).count();
            if (leaderless == 0) {
                lastReachedNanos = System.nanoTime();
                reachedOnce = true;
                problem = "";
            } else {
                // Writes to a partition without a leader fail, so some webhooks would.
                problem = leaderless + " of its " + description.partitions().size() + " partitions have no leader";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            problem = e.getCause().toString();
        } catch (TimeoutException e) {
            problem = "no answer from Kafka within " + PROBE_TIMEOUT.toSeconds() + " s";
        }
        if (!problem.equals(lastProblem)) {
            if (problem.isEmpty()) {
                LOG.info("Kafka is reachable and {} exists: ready for webhooks", topic);
            } else {
                LOG.warn("Cannot reach {} on Kafka ({}): not ready", topic, problem);
            }
            lastProblem = problem;
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
