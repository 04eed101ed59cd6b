package dev.callbridge.installations;

import com.slack.api.bolt.model.Bot;
import com.slack.api.bolt.model.Installer;
import com.slack.api.bolt.model.builtin.DefaultBot;
import com.slack.api.bolt.model.builtin.DefaultInstaller;
import com.slack.api.bolt.service.InstallationService;
import dev.callbridge.installations.InstallationTable.Entry;
import dev.callbridge.slack.SlackToken;
import dev.callbridge.topics.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bolt's installation store on the compacted installations topic, with no database: every instance
 * keeps the latest installation of each workspace in memory, read from the topic and followed, so a
 * workspace installed through any instance is known to all within moments; tokens are stored
 * encrypted by a {@link TokenCipher}.
 *
 * <p>Besides Bolt's methods it serves the dispatcher: {@link #botToken}, {@link #tokenRotated},
 * {@link #installations()} and {@link #onChange}. An installation's version is the offset of its record
 * on the topic: the broker assigns it, so it is unique across instances and across a removal and a
 * new installation of the same workspace, and compaction keeps it.
 */
public final class KafkaInstallationService implements InstallationService, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaInstallationService.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long a write waits for the broker and then for this instance to read it back. */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    /** Why an installation was removed when Bolt removes it without saying why. */
    private static final String DELETED = "deleted";

    private final Map<String, Object> clientProperties;
    private final Topic<String, byte[]> topic;
    private final TokenCipher cipher;
    private final Clock clock;
    private final InstallationTable table;
    /** Writes of this instance one at a time, so that a rotation's version check and its write are not split. */
    private final Object writes = new Object();
    private volatile KafkaProducer<String, byte[]> producer;

    /**
     * @param clientProperties the Kafka client settings (bootstrap servers, security); the store adds
     *     its own consumer and producer settings
     */
    public KafkaInstallationService(Map<String, Object> clientProperties, Topic<String, byte[]> topic,
            TokenCipher cipher, Clock clock) {
        this.clientProperties = Map.copyOf(clientProperties);
        this.topic = topic;
        this.cipher = cipher;
        this.clock = clock;
        this.table = new InstallationTable(topic, clientProperties, this::checkReadable);
    }

    /**
     * Reads the installations topic up to its end as it is now, then keeps following it.
     *
     * @throws IllegalStateException if the topic does not exist or cannot be read within a minute
     */
    public KafkaInstallationService start() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) WRITE_TIMEOUT.toMillis());
        producer = new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer());
        try {
            table.start(START_TIMEOUT);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private void checkReadable(String key, InstallationRecord installation) {
        if (!installation.key().equals(key)) {
            throw new IllegalArgumentException("the record is the installation of " + installation.key());
        }
        if (installation.removed()) {
            return;
        }
        cipher.decrypt(installation.encryptedBotAccessToken(), key);
        if (installation.encryptedBotRefreshToken() != null) {
            cipher.decrypt(installation.encryptedBotRefreshToken(), key);
        }
    }

    /** Always false: the store keeps each workspace's latest installation only. */
    @Override
    public boolean isHistoricalDataEnabled() {
        return false;
    }

    @Override
    public void setHistoricalDataEnabled(boolean enabled) {
        if (enabled) {
            throw new UnsupportedOperationException("the installation store keeps each workspace's latest installation"
                    + " only");
        }
    }

    /**
     * Stores the installation, bot token encrypted, and returns once this instance reads it back. The
     * installing user's own token, if any, is not kept: the bridge acts with the bot token only.
     *
     * @throws IllegalStateException if the installation is not written and read back within 10 seconds
     */
    @Override
    public void saveInstallerAndBot(Installer installer) {
        String key = InstallationRecord.key(installer.getEnterpriseId(), installer.getTeamId());
        String teamName = installer instanceof DefaultInstaller d ? d.getTeamName() : null;
        synchronized (writes) {
            write(key, new InstallationRecord(installer.getEnterpriseId(), installer.getTeamId(), teamName,
                    Boolean.TRUE.equals(installer.getIsEnterpriseInstall()), installer.getAppId(),
                    installer.getBotId(), installer.getBotUserId(), scopes(installer.getBotScope()),
                    installer.getInstallerUserId(), installedAt(installer.getInstalledAt()),
                    encryptBotToken(installer.getBotAccessToken(), key), encrypt(installer.getBotRefreshToken(), key),
                    instant(installer.getBotTokenExpiresAt()), clock.instant()));
        }
    }

    /**
     * Stores the bot, as Bolt does after rotating its token, keeping who installed it; returns once this
     * instance reads it back. Unlike {@link #tokenRotated} it overwrites whatever is stored.
     *
     * @throws IllegalStateException if the installation is not written and read back within 10 seconds
     */
    @Override
    public void saveBot(Bot bot) {
        String key = InstallationRecord.key(bot.getEnterpriseId(), bot.getTeamId());
        synchronized (writes) {
            Entry current = table.get(key);
            String teamName = bot instanceof DefaultBot d ? d.getTeamName()
                    : current == null ? null : current.record().teamName();
            write(key, new InstallationRecord(bot.getEnterpriseId(), bot.getTeamId(), teamName,
                    Boolean.TRUE.equals(bot.getIsEnterpriseInstall()), bot.getAppId(), bot.getBotId(),
                    bot.getBotUserId(), scopes(bot.getBotScope()),
                    current == null ? null : current.record().installerUserId(), installedAt(bot.getInstalledAt()),
                    encryptBotToken(bot.getBotAccessToken(), key), encrypt(bot.getBotRefreshToken(), key),
                    instant(bot.getBotTokenExpiresAt()), clock.instant()));
        }
    }

    @Override
    public void deleteBot(Bot bot) {
        remove(bot.getEnterpriseId(), bot.getTeamId(), DELETED);
    }

    @Override
    public void deleteInstaller(Installer installer) {
        remove(installer.getEnterpriseId(), installer.getTeamId(), DELETED);
    }

    @Override
    public void deleteAll(String enterpriseId, String teamId) {
        remove(enterpriseId, teamId, DELETED);
    }

    /**
     * Replaces the workspace's installation with the record that the app was removed from there
     * {@code because} what, so every instance, and every instance started later, knows; returns once
     * read back.
     *
     * @throws IllegalStateException if it is not written and read back within 10 seconds
     */
    public void remove(String enterpriseId, String teamId, String because) {
        synchronized (writes) {
            write(InstallationRecord.key(enterpriseId, teamId),
                    InstallationRecord.removal(enterpriseId, teamId, clock.instant(), because));
        }
    }

    /**
     * When and why the app was removed from the workspace, if that is the last word on it: it was not
     * installed there again since.
     */
    public Optional<InstallationRecord> removal(String teamId) {
        return Optional.ofNullable(table.removal(teamId));
    }

    /** The bot serving the workspace, its tokens decrypted; {@code null} if the app is not installed there. */
    @Override
    public Bot findBot(String enterpriseId, String teamId) {
        Entry entry = table.find(enterpriseId, teamId);
        return entry == null ? null : installer(entry).toBot();
    }

    /**
     * The workspace's installation, its bot tokens decrypted, for {@code userId == null}; for a given
     * user none, since no user's own installation or token is kept. (So Bolt's handler of revoked user
     * tokens, which deletes what this finds, never removes a workspace's bot.)
     */
    @Override
    public Installer findInstaller(String enterpriseId, String teamId, String userId) {
        if (userId != null) {
            return null;
        }
        Entry entry = table.find(enterpriseId, teamId);
        return entry == null ? null : installer(entry);
    }

    /**
     * The bot token serving a workspace, decrypted: the workspace's own installation, else (with no
     * organisation named) that workspace's installation in whichever organisation, else its
     * organisation's installation across all its workspaces.
     */
    public Optional<WorkspaceToken> botToken(String enterpriseId, String teamId) {
        Entry entry = table.find(enterpriseId, teamId);
        if (entry == null) {
            return Optional.empty();
        }
        InstallationRecord installation = entry.record();
        String key = installation.key();
        String refresh = decrypt(installation.encryptedBotRefreshToken(), key);
        return Optional.of(new WorkspaceToken(installation.enterpriseId(), installation.teamId(),
                new SlackToken(cipher.decrypt(installation.encryptedBotAccessToken(), key)),
                installation.botTokenExpiresAt(), refresh == null ? null : new SlackToken(refresh), entry.offset()));
    }

    /**
     * Stores a rotated bot token, but only if the installation this instance holds is still at
     * {@code expectedVersion} (the version of the {@link WorkspaceToken} the rotation started from);
     * returns once read back.
     *
     * <p>Guaranteed: writes of one instance are one at a time, so of two rotations started there from
     * the same version only the first is stored; a rotation is not stored over a version this instance
     * has read, nor for a workspace it has read as removed; every instance ends up with the same record,
     * the last on the topic. Not guaranteed, for want of a coordinator: two instances rotating from the
     * same version before either has read the other's write (the time a write takes to reach the other
     * instance's reader, usually well under a second) both store theirs, and the later on the topic wins
     * everywhere, so the earlier instance's token is replaced; both are fresh tokens from Slack. Bolt's
     * own rotation ({@link #saveBot}) does not check versions at all.
     *
     * @return whether the token was stored; if not, {@link #botToken} has the newer one
     * @throws IllegalStateException if it is not written and read back within 10 seconds
     */
    public boolean tokenRotated(String enterpriseId, String teamId, String accessToken, String refreshToken,
            Instant expiresAt, long expectedVersion) {
        String key = InstallationRecord.key(enterpriseId, teamId);
        synchronized (writes) {
            Entry current = table.get(key);
            if (current == null) {
                LOG.info("Not storing the rotated token of {}: the app is no longer installed there", key);
                return false;
            }
            if (current.offset() != expectedVersion) {
                LOG.info("Not storing the rotated token of {}: it was rotated from version {}, version {} is stored",
                        key, expectedVersion, current.offset());
                return false;
            }
            InstallationRecord was = current.record();
            write(key, new InstallationRecord(was.enterpriseId(), was.teamId(), was.teamName(), was.enterpriseInstall(),
                    was.appId(), was.botId(), was.botUserId(), was.botScopes(), was.installerUserId(),
                    was.installedAt(), encryptBotToken(accessToken, key), encrypt(refreshToken, key), expiresAt,
                    clock.instant()));
            return true;
        }
    }

    /** Every installation this instance knows, by key, without tokens. */
    public List<Installation> installations() {
        return table.entries().stream()
                .map(entry -> {
                    InstallationRecord r = entry.record();
                    return new Installation(r.key(), r.enterpriseId(), r.teamId(), r.teamName(), r.enterpriseInstall(),
                            r.appId(), r.botId(), r.botUserId(), r.botScopes(), r.installerUserId(), r.installedAt(),
                            r.botTokenExpiresAt(), r.updatedAt(), TokenCipher.keyIdOf(r.encryptedBotAccessToken()),
                            entry.offset());
                })
                .sorted(Comparator.comparing(Installation::key))
                .toList();
    }

    /**
     * Calls {@code listener} with an installation's key each time this instance reads a change of it
     * (stored, rotated, removed, or skipped as unreadable), also while {@link #start()} reads the topic;
     * it runs on the reader's thread, so it must be quick.
     */
    public void onChange(Consumer<String> listener) {
        table.onChange(listener);
    }

    /** Records skipped because they could not be read or their tokens not decrypted. */
    public long unreadableRecords() {
        return table.unreadableRecords();
    }

    /** Writes the installation or removal and waits until this instance has read it. */
    private void write(String key, InstallationRecord installation) {
        long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
        RecordMetadata written;
        try {
            written = producer.send(new ProducerRecord<>(topic.name(), key, InstallationRecord.SERDE.toBytes(installation)))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not write the installation " + key + " to " + topic.name() + ": "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker did not confirm the installation " + key + " on " + topic.name()
                    + " within " + WRITE_TIMEOUT + "; it may still be written");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the installation " + key, e);
        }
        if (!table.awaitRead(written.partition(), written.offset(), deadline)) {
            throw new IllegalStateException("the installation " + key + " was written at offset " + written.offset()
                    + " of " + topic.name() + " but this instance had not read it back within " + WRITE_TIMEOUT);
        }
        LOG.info("{} the installation {} at offset {}", installation.removed() ? "Removed" : "Stored", key,
                written.offset());
    }

    private StoredInstaller installer(Entry entry) {
        InstallationRecord installation = entry.record();
        String key = installation.key();
        String scopes = String.join(",", installation.botScopes());
        StoredInstaller installer = new StoredInstaller();
        installer.setAppId(installation.appId());
        installer.setEnterpriseId(installation.enterpriseId());
        installer.setTeamId(installation.teamId());
        installer.setTeamName(installation.teamName());
        installer.setIsEnterpriseInstall(installation.enterpriseInstall());
        installer.setTokenType("bot");
        installer.setInstallerUserId(installation.installerUserId());
        installer.setScope(scopes);
        installer.setBotScope(scopes);
        installer.setBotId(installation.botId());
        installer.setBotUserId(installation.botUserId());
        installer.setBotAccessToken(cipher.decrypt(installation.encryptedBotAccessToken(), key));
        installer.setBotRefreshToken(decrypt(installation.encryptedBotRefreshToken(), key));
        installer.setBotTokenExpiresAt(epochMillis(installation.botTokenExpiresAt()));
        installer.setInstalledAt(epochMillis(installation.installedAt()));
        return installer;
    }

    private String encryptBotToken(String token, String key) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the installation " + key + " has no bot token; the bridge acts with"
                    + " bot tokens only");
        }
        return cipher.encrypt(token, key);
    }

    /** Encrypted for {@code key}; {@code null} stays {@code null}. */
    private String encrypt(String token, String key) {
        return token == null ? null : cipher.encrypt(token, key);
    }

    private String decrypt(String encrypted, String key) {
        return encrypted == null ? null : cipher.decrypt(encrypted, key);
    }

    private static List<String> scopes(String commaSeparated) {
        return commaSeparated == null || commaSeparated.isBlank() ? List.of()
                : Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Bolt stamps installations in epoch milliseconds; one without a stamp was installed now. */
    private Instant installedAt(Long epochMillis) {
        return epochMillis == null ? clock.instant() : Instant.ofEpochMilli(epochMillis);
    }

    private static Instant instant(Long epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis);
    }

    private static Long epochMillis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    @Override
    public void close() {
        table.close();
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
