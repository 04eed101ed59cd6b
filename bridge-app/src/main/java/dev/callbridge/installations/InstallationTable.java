package dev.callbridge.installations;

import dev.callbridge.topics.Topic;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest installation under each key, as this instance has read the installations topic: read
 * from the beginning, then followed, by a consumer of its own that belongs to no group.
 */
final class InstallationTable implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InstallationTable.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** Long enough for a topic just created to reach the broker the consumer asks; a missing topic fails after it. */
    private static final Duration TOPIC_WAIT = Duration.ofSeconds(5);

    /** An installation as read; its offset is its version, unique on the topic and kept by compaction. */
    record Entry(InstallationRecord record, int partition, long offset) {}

    private final Topic<String, byte[]> topic;
    private final Map<String, Object> consumerProperties;
    private final BiConsumer<String, InstallationRecord> check;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Keys by team id, for callers that know a workspace but not its organisation, as the call events do. */
    private final Map<String, String> keysByTeam = new ConcurrentHashMap<>();
    /** Removals by team id: workspaces whose last word on the topic is that the app was removed. */
    private final Map<String, InstallationRecord> removedTeams = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong unreadable = new AtomicLong();
    private final Object progress = new Object();
    /** The next offset to read, by partition; guarded by {@link #progress}. */
    private final Map<Integer, Long> readUpTo = new HashMap<>();
    private volatile boolean running = true;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread reader;

    /**
     * @param check throws for an installation that cannot be used under its key (tokens that do not
     *     decrypt); such a record is skipped
     */
    InstallationTable(Topic<String, byte[]> topic, Map<String, Object> clientProperties,
            BiConsumer<String, InstallationRecord> check) {
        this.topic = topic;
        this.check = check;
        Map<String, Object> props = new HashMap<>(clientProperties);
        // Every instance reads everything, so there is no group and nothing to commit.
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A missing topic is an error of set-up, not something to create here with the broker's defaults.
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumerProperties = props;
    }

    /** Reads the topic up to its end as it is now, then goes on following it on a thread of its own. */
    void start(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        consumer = new KafkaConsumer<>(consumerProperties, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
        Map<TopicPartition, Long> end;
        try {
            List<TopicPartition> partitions = partitions(timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            end = consumer.endOffsets(partitions, timeout);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        reader = new Thread(() -> follow(end.keySet()), "installations-reader");
        reader.setDaemon(true);
        reader.start();
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (!awaitRead(partition.getKey().partition(), partition.getValue() - 1, deadline)) {
                throw new IllegalStateException("could not read " + partition.getKey() + " up to offset "
                        + partition.getValue() + " within " + timeout);
            }
        }
        LOG.info("Read {} installations from {} ({} records skipped as unreadable)", entries.size(), topic.name(),
                unreadable.get());
    }

    private List<TopicPartition> partitions(Duration timeout) {
        long deadline = System.nanoTime() + TOPIC_WAIT.toNanos();
        while (true) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic.name() + " does not exist; the bridge's topic set-up"
                        + " creates it");
            }
            sleep(POLL);
        }
    }

    private void follow(Collection<TopicPartition> partitions) {
        while (running) {
            try {
                consumer.poll(POLL).forEach(this::apply);
                Map<Integer, Long> positions = new HashMap<>();
                partitions.forEach(partition -> positions.put(partition.partition(), consumer.position(partition)));
                synchronized (progress) {
                    readUpTo.putAll(positions);
                    progress.notifyAll();
                }
            } catch (WakeupException e) {
                // close() woke the reader; running is false now
            } catch (RuntimeException e) {
                // The view stays as it was, and writes waiting to read themselves back time out with a clear error.
                LOG.warn("Reading {} failed; trying again in {}", topic.name(), RETRY, e);
                sleep(RETRY);
            }
        }
        consumer.close();
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        String key = record.key();
        if (key == null) {
            unreadable.incrementAndGet();
            LOG.warn("Skipped the record without a key at offset {} of {}", record.offset(), topicPartition(record));
            return;
        }
        if (record.value() == null) {
            remove(key);
        } else {
            try {
                InstallationRecord installation = InstallationRecord.SERDE.fromBytes(record.value());
                check.accept(key, installation);
                if (installation.removed()) {
                    remove(key);
                    if (installation.teamId() != null) {
                        removedTeams.put(installation.teamId(), installation);
                    }
                    notifyListeners(key);
                    return;
                }
                if (installation.teamId() != null) {
                    removedTeams.remove(installation.teamId());
                }
                Entry old = entries.put(key, new Entry(installation, record.partition(), record.offset()));
                unindex(key, old);
                if (installation.teamId() != null) {
                    keysByTeam.put(installation.teamId(), key);
                }
            } catch (RuntimeException e) {
                unreadable.incrementAndGet();
                // The log's last word on this key cannot be read: an instance starting after compaction would not
                // know the key at all, so neither does this one.
                remove(key);
                LOG.warn("Skipped the installation {} at offset {} of {}, which now counts as not installed here: {}",
                        key, record.offset(), topicPartition(record), e.getMessage());
            }
        }
        notifyListeners(key);
    }

    private void notifyListeners(String key) {
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(key);
            } catch (RuntimeException e) {
                LOG.warn("A listener to installation changes failed on {}", key, e);
            }
        }
    }

    private void remove(String key) {
        unindex(key, entries.remove(key));
    }

    private void unindex(String key, Entry old) {
        if (old != null && old.record().teamId() != null) {
            keysByTeam.remove(old.record().teamId(), key);
        }
    }

    private static String topicPartition(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition();
    }

    /** The installation under exactly this key, if this instance has read one. */
    Entry get(String key) {
        return entries.get(key);
    }

    /**
     * The installation that serves a workspace: its own; else, when no organisation is named, the one
     * of that workspace in whichever organisation; else its organisation's installation across all its
     * workspaces.
     */
    Entry find(String enterpriseId, String teamId) {
        Entry own = entries.get(InstallationRecord.key(enterpriseId, teamId));
        if (own != null) {
            return own;
        }
        if (enterpriseId == null && teamId != null) {
            String key = keysByTeam.get(teamId);
            return key == null ? null : entries.get(key);
        }
        return teamId == null ? null : entries.get(InstallationRecord.key(enterpriseId, null));
    }

    /** The removal of the app from the workspace, if that is the last this instance read of it. */
    InstallationRecord removal(String teamId) {
        return teamId == null ? null : removedTeams.get(teamId);
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    /** Whether this instance has read the record at {@code offset} of {@code partition}, waiting until the deadline. */
    boolean awaitRead(int partition, long offset, long deadlineNanos) {
        synchronized (progress) {
            while (readUpTo.getOrDefault(partition, 0L) <= offset) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading " + topic.name(), e);
                }
            }
            return true;
        }
    }

    void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    long unreadableRecords() {
        return unreadable.get();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (reader != null) {
            consumer.wakeup();
            try {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
