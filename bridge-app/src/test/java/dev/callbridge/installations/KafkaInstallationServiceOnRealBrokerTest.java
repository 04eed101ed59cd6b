package dev.callbridge.installations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.slack.api.bolt.model.Bot;
import com.slack.api.bolt.model.Installer;
import com.slack.api.bolt.model.builtin.DefaultInstaller;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.testkit.CommittedRecords;
import dev.callbridge.testkit.KafkaBrokerExtension;
import dev.callbridge.topics.Topic;
import dev.callbridge.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The installation store on a real broker, with two instances of the bridge sharing its topic as two pods do. */
class KafkaInstallationServiceOnRealBrokerTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final Duration WITHIN_SECONDS = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final String ACCESS = "xoxe.xoxb-1-plain-access-token";
    private static final String REFRESH = "xoxe-1-plain-refresh-token";
    private static final TokenCipher CIPHER = TokenCipher.parseKeys(TokenCipher.newKey("k1"));

    private final List<KafkaInstallationService> services = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<Logger> watched = List.of(
            (Logger) LoggerFactory.getLogger(KafkaInstallationService.class),
            (Logger) LoggerFactory.getLogger(InstallationTable.class));

    @BeforeEach
    void captureLogs() {
        logs.start();
        watched.forEach(logger -> logger.addAppender(logs));
    }

    @AfterEach
    void stop() {
        services.forEach(KafkaInstallationService::close);
        watched.forEach(logger -> logger.detachAppender(logs));
    }

    private static Topic<String, byte[]> topic(String prefix) {
        Topic<String, byte[]> topic = Topics.withPrefix(prefix, CloudEventCodec.DEFAULT_MAX_RECORD_BYTES).installations();
        KAFKA.createTopics(1, topic.name());
        return topic;
    }

    private KafkaInstallationService start(Topic<String, byte[]> topic, TokenCipher cipher) {
        KafkaInstallationService service = new KafkaInstallationService(
                Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()), topic, cipher,
                Clock.systemUTC());
        services.add(service);
        return service.start();
    }

    /** What Bolt's OAuth flow hands the store for a workspace installed with token rotation on. */
    private static DefaultInstaller installation(String teamId) {
        DefaultInstaller installer = new DefaultInstaller();
        installer.setAppId("A0BRIDGE");
        installer.setTeamId(teamId);
        installer.setTeamName("Acme " + teamId);
        installer.setIsEnterpriseInstall(false);
        installer.setTokenType("bot");
        installer.setInstallerUserId("U0INSTALLER");
        installer.setBotId("B0BRIDGE");
        installer.setBotUserId("U0BRIDGEBOT");
        installer.setBotScope("calls:read,calls:write,chat:write");
        installer.setBotAccessToken(ACCESS + "-" + teamId);
        installer.setBotRefreshToken(REFRESH + "-" + teamId);
        installer.setBotTokenExpiresAt(T0.plus(Duration.ofHours(12)).toEpochMilli());
        installer.setInstalledAt(T0.toEpochMilli());
        return installer;
    }

    private static long version(KafkaInstallationService service, String teamId) {
        return service.botToken(null, teamId).orElseThrow().version();
    }

    @Test
    void aWorkspaceInstalledThroughOneInstanceIsKnownToTheOtherWithinSeconds() {
        Topic<String, byte[]> topic = topic("shared-");
        KafkaInstallationService a = start(topic, CIPHER);
        KafkaInstallationService b = start(topic, CIPHER);
        ConcurrentLinkedQueue<String> changesSeenByB = new ConcurrentLinkedQueue<>();
        b.onChange(changesSeenByB::add);

        a.saveInstallerAndBot(installation("T0ACME"));

        Bot ownView = a.findBot(null, "T0ACME");
        assertThat(ownView).as("read back by the instance that saved it, at once").isNotNull();
        Bot bot = await().atMost(WITHIN_SECONDS).until(() -> b.findBot(null, "T0ACME"), found -> found != null);
        assertThat(bot.getBotAccessToken()).isEqualTo(ACCESS + "-T0ACME");
        assertThat(bot.getBotRefreshToken()).isEqualTo(REFRESH + "-T0ACME");
        assertThat(bot.getBotTokenExpiresAt()).isEqualTo(T0.plus(Duration.ofHours(12)).toEpochMilli());
        assertThat(bot.getBotScope()).isEqualTo("calls:read,calls:write,chat:write");
        assertThat(bot.getBotUserId()).isEqualTo("U0BRIDGEBOT");
        assertThat(bot.getInstalledAt()).isEqualTo(T0.toEpochMilli());
        Installer installer = b.findInstaller(null, "T0ACME", null);
        assertThat(installer.getInstallerUserId()).isEqualTo("U0INSTALLER");
        assertThat(((DefaultInstaller) installer).getTeamName()).isEqualTo("Acme T0ACME");
        WorkspaceToken token = b.botToken(null, "T0ACME").orElseThrow();
        assertThat(token.accessToken().reveal()).isEqualTo(ACCESS + "-T0ACME");
        assertThat(token.refreshToken().reveal()).isEqualTo(REFRESH + "-T0ACME");
        assertThat(token.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(12)));
        assertThat(token.version()).isEqualTo(version(a, "T0ACME"));
        assertThat(b.installations()).extracting(Installation::key, Installation::teamName, Installation::tokenKeyId)
                .containsExactly(tuple("-/T0ACME", "Acme T0ACME", "k1"));
        await().atMost(WITHIN_SECONDS).untilAsserted(() -> assertThat(changesSeenByB).containsExactly("-/T0ACME"));
        assertThat(b.findBot(null, "T0ELSEWHERE")).isNull();
    }

    @Test
    void aWorkspaceInAnOrganisationIsFoundByItsTeamAloneAsTheCallEventsNameIt() {
        KafkaInstallationService a = start(topic("grid-"), CIPHER);
        DefaultInstaller inGrid = installation("T0GRIDTEAM");
        inGrid.setEnterpriseId("E0GRID");

        a.saveInstallerAndBot(inGrid);

        assertThat(a.installations()).extracting(Installation::key).containsExactly("E0GRID/T0GRIDTEAM");
        assertThat(a.findBot("E0GRID", "T0GRIDTEAM")).isNotNull();
        assertThat(a.botToken(null, "T0GRIDTEAM")).get().extracting(WorkspaceToken::enterpriseId).isEqualTo("E0GRID");
    }

    @Test
    void noUsersOwnInstallationIsFoundSoRevokingAUserTokenLeavesTheBot() {
        KafkaInstallationService a = start(topic("users-"), CIPHER);
        a.saveInstallerAndBot(installation("T0ACME"));

        assertThat(a.findInstaller(null, "T0ACME", "U0INSTALLER")).isNull();
        assertThat(a.findInstaller(null, "T0ACME", null)).isNotNull();
    }

    @Test
    void aRemovedWorkspaceIsGoneFromBothInstances() {
        Topic<String, byte[]> topic = topic("uninstalled-");
        KafkaInstallationService a = start(topic, CIPHER);
        KafkaInstallationService b = start(topic, CIPHER);
        ConcurrentLinkedQueue<String> changesSeenByA = new ConcurrentLinkedQueue<>();
        a.onChange(changesSeenByA::add);
        a.saveInstallerAndBot(installation("T0ACME"));
        a.saveInstallerAndBot(installation("T0KEPT"));
        await().atMost(WITHIN_SECONDS).until(() -> b.installations().size() == 2);

        b.deleteAll(null, "T0ACME");

        assertThat(b.findBot(null, "T0ACME")).isNull();
        await().atMost(WITHIN_SECONDS).until(() -> a.findBot(null, "T0ACME") == null);
        assertThat(a.botToken(null, "T0ACME")).isEmpty();
        assertThat(a.installations()).extracting(Installation::key).containsExactly("-/T0KEPT");
        await().atMost(WITHIN_SECONDS).untilAsserted(
                () -> assertThat(changesSeenByA).containsExactly("-/T0ACME", "-/T0KEPT", "-/T0ACME"));
    }

    @Test
    void aRestartedInstanceReadsTheInstallationsBackBeforeItStarts() {
        Topic<String, byte[]> topic = topic("restart-");
        KafkaInstallationService a = start(topic, CIPHER);
        a.saveInstallerAndBot(installation("T0ONE"));
        a.saveInstallerAndBot(installation("T0TWO"));
        a.deleteBot(a.findBot(null, "T0TWO"));
        long version = version(a, "T0ONE");
        a.close();

        KafkaInstallationService restarted = start(topic, CIPHER);

        assertThat(restarted.installations()).extracting(Installation::key).containsExactly("-/T0ONE");
        assertThat(restarted.findBot(null, "T0ONE").getBotAccessToken()).isEqualTo(ACCESS + "-T0ONE");
        assertThat(version(restarted, "T0ONE")).isEqualTo(version);
    }

    @Test
    void noRecordLogLineOrPrintedObjectHoldsATokenInPlainText() {
        Topic<String, byte[]> topic = topic("plain-");
        KafkaInstallationService a = start(topic, CIPHER);
        a.saveInstallerAndBot(installation("T0ACME"));
        a.tokenRotated(null, "T0ACME", ACCESS + "-rotated", REFRESH + "-rotated", T0.plus(Duration.ofHours(24)),
                version(a, "T0ACME"));
        List<String> tokens = List.of(ACCESS, REFRESH, "xoxe.xoxb-1", "xoxe-1");

        List<ConsumerRecord<byte[], byte[]>> records = CommittedRecords.readAll(KAFKA.bootstrapServers(), topic.name());
        assertThat(records).hasSize(2);
        assertThat(text(records.get(0).value())).contains("\"encrypted_bot_access_token\":\"v1:k1:");
        for (ConsumerRecord<byte[], byte[]> record : records) {
            StringBuilder raw = new StringBuilder(text(record.key())).append(text(record.value()));
            for (Header header : record.headers()) {
                raw.append(header.key()).append(text(header.value()));
            }
            tokens.forEach(token -> assertThat(raw).doesNotContain(token));
        }
        List<String> printed = new ArrayList<>(List.of(a.findBot(null, "T0ACME").toString(),
                a.findInstaller(null, "T0ACME", null).toString(), a.findInstaller(null, "T0ACME", null).toBot().toString(),
                a.botToken(null, "T0ACME").orElseThrow().toString(), a.installations().toString()));
        assertThat(loggedLines()).isNotEmpty();
        printed.addAll(loggedLines());
        tokens.forEach(token -> assertThat(printed).noneMatch(line -> line.contains(token)));
    }

    @Test
    void aRotationFromAVersionThatIsNoLongerStoredDoesNotOverwriteTheNewerToken() {
        Topic<String, byte[]> topic = topic("rotate-");
        KafkaInstallationService a = start(topic, CIPHER);
        KafkaInstallationService b = start(topic, CIPHER);
        a.saveInstallerAndBot(installation("T0ACME"));
        long installed = await().atMost(WITHIN_SECONDS)
                .until(() -> b.botToken(null, "T0ACME").map(WorkspaceToken::version), Optional::isPresent).get();

        boolean storedByA = a.tokenRotated(null, "T0ACME", "xoxe.xoxb-by-a", "xoxe-1-by-a", T0.plus(Duration.ofHours(24)),
                installed);
        await().atMost(WITHIN_SECONDS).until(() -> version(b, "T0ACME") != installed);
        boolean storedByB = b.tokenRotated(null, "T0ACME", "xoxe.xoxb-by-b", "xoxe-1-by-b", T0.plus(Duration.ofHours(25)),
                installed);
        boolean storedAgainByA = a.tokenRotated(null, "T0ACME", "xoxe.xoxb-again", "xoxe-1-again",
                T0.plus(Duration.ofHours(26)), installed);

        assertThat(storedByA).isTrue();
        assertThat(storedByB).isFalse();
        assertThat(storedAgainByA).isFalse();
        for (KafkaInstallationService service : List.of(a, b)) {
            WorkspaceToken token = service.botToken(null, "T0ACME").orElseThrow();
            assertThat(token.accessToken().reveal()).isEqualTo("xoxe.xoxb-by-a");
            assertThat(token.refreshToken().reveal()).isEqualTo("xoxe-1-by-a");
            assertThat(token.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(24)));
        }
        assertThat(a.findInstaller(null, "T0ACME", null).getInstallerUserId()).as("kept through the rotation")
                .isEqualTo("U0INSTALLER");
    }

    @Test
    void aRotationForARemovedWorkspaceDoesNotBringItBack() {
        KafkaInstallationService a = start(topic("gone-"), CIPHER);
        a.saveInstallerAndBot(installation("T0ACME"));
        long version = version(a, "T0ACME");
        a.deleteAll(null, "T0ACME");

        assertThat(a.tokenRotated(null, "T0ACME", "xoxe.xoxb-late", "xoxe-1-late", T0, version)).isFalse();
        assertThat(a.findBot(null, "T0ACME")).isNull();
    }

    @Test
    void aRemovalIsKeptWithItsReasonAndNoTokenAndIsKnownToAnInstanceStartedLaterUntilTheAppIsInstalledAgain() {
        Topic<String, byte[]> topic = topic("removal-");
        KafkaInstallationService a = start(topic, CIPHER);
        a.saveInstallerAndBot(installation("T0ACME"));
        a.saveInstallerAndBot(installation("T0OTHER"));

        a.remove(null, "T0ACME", "app_uninstalled");
        KafkaInstallationService later = start(topic, CIPHER);

        for (KafkaInstallationService service : List.of(a, later)) {
            assertThat(service.findBot(null, "T0ACME")).isNull();
            assertThat(service.botToken(null, "T0ACME")).isEmpty();
            assertThat(service.removal("T0ACME")).get().extracting(InstallationRecord::removedBecause)
                    .isEqualTo("app_uninstalled");
            assertThat(service.removal("T0OTHER")).isEmpty();
            assertThat(service.installations()).extracting(Installation::key).containsExactly("-/T0OTHER");
        }
        String removalRecord = text(CommittedRecords.readAll(KAFKA.bootstrapServers(), topic.name()).get(2).value());
        assertThat(removalRecord).contains("\"removed_because\":\"app_uninstalled\"")
                .doesNotContain("encrypted_bot_access_token\":\"", ACCESS, REFRESH);

        later.saveInstallerAndBot(installation("T0ACME"));

        await().atMost(WITHIN_SECONDS).untilAsserted(() -> {
            assertThat(a.removal("T0ACME")).isEmpty();
            assertThat(a.botToken(null, "T0ACME")).isPresent();
        });
    }

    @Test
    void recordsThatCannotBeReadOrDecryptedAreSkippedAndTheRestStillRead() throws Exception {
        Topic<String, byte[]> topic = topic("skip-");
        KafkaInstallationService a = start(topic, CIPHER);
        a.saveInstallerAndBot(installation("T0BEFORE"));
        start(topic, TokenCipher.parseKeys(TokenCipher.newKey("k9"))).saveInstallerAndBot(installation("T0OTHERKEY"));
        // Another workspace's record with its ids changed: its tokens are bound to the key they were written for.
        byte[] moved = text(CommittedRecords.readAll(KAFKA.bootstrapServers(), topic.name()).get(0).value())
                .replace("T0BEFORE", "T0MOVED").getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), "-/T0GARBAGE", "{\"team_id\":".getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(new ProducerRecord<>(topic.name(), "-/T0MOVED", moved)).get();
        }
        a.saveInstallerAndBot(installation("T0AFTER"));

        KafkaInstallationService restarted = start(topic, CIPHER);

        for (KafkaInstallationService service : List.of(a, restarted)) {
            assertThat(service.installations()).extracting(Installation::key).containsExactly("-/T0AFTER", "-/T0BEFORE");
            assertThat(service.unreadableRecords()).isEqualTo(3);
        }
        assertThat(restarted.findBot(null, "T0AFTER").getBotAccessToken()).isEqualTo(ACCESS + "-T0AFTER");
        assertThat(loggedLines())
                .anyMatch(line -> line.startsWith("Skipped the installation -/T0OTHERKEY at offset 1 of skip-slack.installations-0")
                        && line.contains("key 'k9'"))
                .anyMatch(line -> line.startsWith("Skipped the installation -/T0GARBAGE at offset 2 of"))
                .anyMatch(line -> line.startsWith("Skipped the installation -/T0MOVED at offset 3 of")
                        && line.contains("does not verify for record -/T0MOVED"));
    }

    @Test
    void startingOnATopicThatDoesNotExistFailsAndSaysSo() {
        Topic<String, byte[]> missing = Topics.withPrefix("missing-", CloudEventCodec.DEFAULT_MAX_RECORD_BYTES)
                .installations();

        assertThatThrownBy(() -> start(missing, CIPHER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("topic missing-slack.installations does not exist; the bridge's topic set-up creates it");
    }

    /** The lines logged so far; the appender appends under its own lock, from the readers' threads too. */
    private List<String> loggedLines() {
        synchronized (logs) {
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
