package dev.callbridge.dispatch;

import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What the dispatcher needs.
 *
 * @param groupId the consumer group over {@code slack.call-ops} and its retry topics
 * @param transactionalId unique per running instance; fences a zombie of the same instance
 * @param budgets request budgets per Slack method; {@code defaultBudget} for the rest
 * @param maxInlineWait longest wait for rate-limit budget inside a batch; longer waits park the
 *     operation in a retry topic until its slot
 * @param concurrency Slack requests in flight at once
 * @param commitInterval least time between two of the dispatcher's transactions: answers that come
 *     in meanwhile share the next one. Transactions back to back wait on the broker finishing the
 *     previous one, which costs more than the interval.
 * @param requestTimeout longest a Slack request may take
 * @param consumerOverrides extra Kafka consumer settings, passed through as given
 * @param producerOverrides extra Kafka producer settings, passed through as given
 * @param defaultTeamId the workspace of operations that name none ({@code slack.default.team.id}), whose
 *     partition and rate budgets they share; {@code null} when there is none
 */
public record DispatcherConfig(
        String bootstrapServers,
        String groupId,
        String transactionalId,
        Topics topics,
        Map<SlackMethod, Budget> budgets,
        Budget defaultBudget,
        RetryPolicy retryPolicy,
        Duration maxInlineWait,
        int concurrency,
        Duration commitInterval,
        Duration requestTimeout,
        Map<String, Object> consumerOverrides,
        Map<String, Object> producerOverrides,
        String defaultTeamId) {

    public DispatcherConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topics, "topics");
        budgets = Map.copyOf(budgets);
        consumerOverrides = Map.copyOf(consumerOverrides);
        producerOverrides = Map.copyOf(producerOverrides);
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        if (commitInterval.isNegative()) {
            throw new IllegalArgumentException("commitInterval must not be negative, was " + commitInterval);
        }
    }
}
