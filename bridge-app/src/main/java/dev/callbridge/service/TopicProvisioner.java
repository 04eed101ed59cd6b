package dev.callbridge.service;

import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.topics.RetryTier;
import dev.callbridge.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the bridge's topics exist as it needs them: missing ones are created with the
 * configured partitions and replication ({@code slack.calls} compacted, its views kept for the
 * recovery retention; {@code slack.installations} compacted, kept for good, in one partition),
 * existing ones are checked —
 * the input events and the results must have the same partition count, because both feed the same
 * per-call task, so must the operations and each retry topic, because a workspace's operations lie on
 * the same partition number of each, {@code slack.calls} must be compacted, because it is read back after a reset, and
 * {@code slack.installations} must be compacted and delete nothing by age, because it is the only
 * record of the workspaces the app is installed in.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final Admin admin;

    public TopicProvisioner(Admin admin) {
        this.admin = admin;
    }

    /**
     * Creates what is missing and checks what exists; throws {@link BridgeConfigException} on a mismatch.
     *
     * @param slackApp whether the bridge is a Slack app, and so needs {@code slack.installations}
     *
     * @return the partition count of the input topic (and so of the results topic)
     */
    public int ensure(Topics topics, int partitions, short replicationFactor, Duration recoveryRetention,
            boolean slackApp) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            List<String> names = new ArrayList<>(topics.names());
            if (slackApp) {
                names.add(topics.installations().name());
            }
            for (String name : names) {
                if (!existing.contains(name)) {
                    missing.add(newTopic(topics, name, partitions, replicationFactor, recoveryRetention));
                }
            }
            if (!missing.isEmpty()) {
                create(missing);
            }
            return checkOnceKnown(topics, recoveryRetention, slackApp);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create or inspect the bridge's topics: " + e.getMessage(), e);
        }
    }

    private static NewTopic newTopic(Topics topics, String name, int partitions, short replicationFactor,
            Duration recoveryRetention) {
        if (name.equals(topics.installations().name())) {
            // Every instance reads all of it and it holds one record per workspace: more partitions would buy
            // nothing. Compacted without retention, so an installation stays until it is removed.
            return new NewTopic(name, 1, replicationFactor).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        NewTopic topic = new NewTopic(name, partitions, replicationFactor);
        if (name.equals(topics.calls().name())) {
            // Compacted for the last view of each call; deleted after the retention, so views of
            // calls long finished do not pile up.
            topic.configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(recoveryRetention.toMillis())));
        }
        return topic;
    }

    /**
     * Creates the topics; one that exists by now was created by another instance starting at the same
     * moment (or was not yet listed), and is checked like any other.
     */
    private void create(List<NewTopic> missing) throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, KafkaFuture<Void>> created = admin.createTopics(missing).values();
        List<String> made = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> topic : created.entrySet()) {
            try {
                topic.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                made.add(topic.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        LOG.info("Created topics {}", made);
    }

    /** Checks the topics, waiting out the moment after creation when not every broker knows them yet. */
    private int checkOnceKnown(Topics topics, Duration recoveryRetention, boolean slackApp)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                return check(topics, recoveryRetention, slackApp);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private int check(Topics topics, Duration recoveryRetention, boolean slackApp) throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> described = admin.describeTopics(topics.names())
                .allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        int events = described.get(topics.callEvents().name()).partitions().size();
        int results = described.get(topics.callResults().name()).partitions().size();
        if (events != results) {
            throw new BridgeConfigException(topics.callEvents().name() + " has " + events + " partitions and "
                    + topics.callResults().name() + " has " + results
                    + "; they must match, since both feed the same per-call task");
        }
        int ops = described.get(topics.callOps().name()).partitions().size();
        for (RetryTier tier : topics.callOpsRetries()) {
            int parked = described.get(tier.topic()).partitions().size();
            if (parked != ops) {
                throw new BridgeConfigException(topics.callOps().name() + " has " + ops + " partitions and "
                        + tier.topic() + " has " + parked + "; they must match, since a workspace's operations lie on"
                        + " the same partition of each and one instance paces them (add partitions to the smaller)");
            }
        }
        ConfigResource calls = new ConfigResource(ConfigResource.Type.TOPIC, topics.calls().name());
        ConfigResource installations = new ConfigResource(ConfigResource.Type.TOPIC, topics.installations().name());
        Map<ConfigResource, Config> configs = new HashMap<>(admin.describeConfigs(slackApp ? List.of(calls, installations)
                : List.of(calls)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        if (slackApp) {
            checkKeptForGood(topics.installations().name(), configs.get(installations));
        }
        String policy = configs.get(calls).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new BridgeConfigException(topics.calls().name() + " must be compacted (cleanup.policy=compact), is "
                    + policy);
        }
        long retentionMs = Long.parseLong(configs.get(calls).get(TopicConfig.RETENTION_MS_CONFIG).value());
        if (policy.contains(TopicConfig.CLEANUP_POLICY_DELETE) && retentionMs >= 0
                && retentionMs < recoveryRetention.toMillis()) {
            LOG.warn("{} deletes views after {} ms, sooner than calls.recovery.retention ({}); a replay after a full"
                    + " reset may add calls whose views are gone", topics.calls().name(), retentionMs, recoveryRetention);
        }
        return events;
    }

    private static void checkKeptForGood(String topic, Config config) {
        String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        long retentionMs = Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value());
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)
                || policy.contains(TopicConfig.CLEANUP_POLICY_DELETE) && retentionMs >= 0) {
            throw new BridgeConfigException(topic + " must be compacted and keep records for good (cleanup.policy=compact),"
                    + " is cleanup.policy=" + policy + " with retention.ms=" + retentionMs
                    + "; otherwise installations disappear and their workspaces lose the bridge");
        }
    }
}
