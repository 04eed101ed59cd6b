package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {

    private static final TopicPartition OPS = new TopicPartition("slack.call-ops", 0);
    private static final TopicPartition RETRY = new TopicPartition("slack.call-ops.retry-5s", 0);

    private final OffsetLedger ledger = new OffsetLedger();

    @Test
    void nothingToCommitBeforeAnythingIsRead() {
        ledger.restore(OPS, null);
        assertThat(ledger.toCommit()).isEmpty();
        assertThat(ledger.inFlight()).isZero();
    }

    @Test
    void answersInOrderCommitPastTheLastOne() {
        ledger.restore(OPS, null);
        ledger.start(OPS, 0);
        ledger.start(OPS, 1);
        assertThat(ledger.inFlight()).isEqualTo(2);
        assertThat(ledger.finish(OPS, 0)).isTrue();
        assertThat(ledger.finish(OPS, 1)).isTrue();

        assertThat(ledger.toCommit()).containsExactly(Map.entry(OPS, new OffsetAndMetadata(2, "")));
    }

    @Test
    void aSlowOperationHoldsTheOffsetAndTheFinishedOnesAboveItAreNamed() {
        ledger.restore(OPS, new OffsetAndMetadata(10));
        for (long offset = 10; offset < 15; offset++) {
            ledger.start(OPS, offset);
        }
        ledger.finish(OPS, 10);
        ledger.finish(OPS, 12);
        ledger.finish(OPS, 14);

        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.toCommit();
        assertThat(offsets.get(OPS).offset()).isEqualTo(11);
        assertThat(offsets.get(OPS).metadata()).isEqualTo(OffsetLedger.METADATA_PREFIX + "1,3");
        ledger.committed(offsets);
        assertThat(ledger.toCommit()).isEmpty();

        ledger.finish(OPS, 11);
        ledger.finish(OPS, 13);
        assertThat(ledger.toCommit()).containsExactly(Map.entry(OPS, new OffsetAndMetadata(15, "")));
    }

    @Test
    void afterARestartTheOperationsFinishedAboveTheOffsetAreSkippedAndStayNamedUntilPassed() {
        ledger.restore(OPS, new OffsetAndMetadata(11, OffsetLedger.METADATA_PREFIX + "1,3"));

        assertThat(ledger.finishedBefore(OPS, 11)).isFalse();
        ledger.start(OPS, 11);
        assertThat(ledger.finishedBefore(OPS, 12)).isTrue();
        assertThat(ledger.finishedBefore(OPS, 12)).isFalse();
        assertThat(ledger.toCommit()).isEmpty();

        ledger.start(OPS, 13);
        assertThat(ledger.finishedBefore(OPS, 14)).isTrue();
        ledger.finish(OPS, 13);
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.toCommit();
        assertThat(offsets.get(OPS)).isEqualTo(new OffsetAndMetadata(11, OffsetLedger.METADATA_PREFIX + "1,2,3"));
        ledger.committed(offsets);

        ledger.finish(OPS, 11);
        assertThat(ledger.toCommit()).containsExactly(Map.entry(OPS, new OffsetAndMetadata(15, "")));
    }

    @Test
    void anAnswerForAnOperationNotInFlightIsStale() {
        ledger.restore(OPS, null);
        ledger.start(OPS, 4);
        ledger.restore(OPS, new OffsetAndMetadata(4));

        assertThat(ledger.finish(OPS, 4)).isFalse();
        assertThat(ledger.finish(RETRY, 0)).isFalse();
        assertThat(ledger.inFlight()).isZero();
    }

    @Test
    void partitionsAreKeptApartAndForgottenOnRevocation() {
        ledger.restore(OPS, null);
        ledger.restore(RETRY, null);
        ledger.start(OPS, 0);
        ledger.start(RETRY, 7);
        ledger.finish(RETRY, 7);

        assertThat(ledger.toCommit()).containsOnlyKeys(OPS, RETRY)
                .containsEntry(RETRY, new OffsetAndMetadata(8, ""))
                .containsEntry(OPS, new OffsetAndMetadata(0, ""));
        ledger.forget(java.util.List.of(OPS));
        assertThat(ledger.partitions()).containsExactly(RETRY);
        assertThat(ledger.inFlight()).isZero();
    }

    @Test
    void metadataThatIsNotTheLedgersSkipsNothing() {
        assertThat(OffsetLedger.decode(5, null)).isEmpty();
        assertThat(OffsetLedger.decode(5, "")).isEmpty();
        assertThat(OffsetLedger.decode(5, "written by some other tool")).isEmpty();
        assertThat(OffsetLedger.decode(5, OffsetLedger.METADATA_PREFIX + "2,x")).isEmpty();
        assertThat(OffsetLedger.decode(5, OffsetLedger.METADATA_PREFIX + "2,4")).containsExactly(7L, 9L);
    }

    @Test
    void tooManyFinishedOperationsToNameAreCutToTheLowestThatFit() {
        TreeSet<Long> finished = new TreeSet<>();
        for (long offset = 1; offset <= 2_000; offset++) {
            finished.add(offset);
        }
        String metadata = OffsetLedger.encode(0, finished);

        assertThat(metadata.length()).isLessThanOrEqualTo(OffsetLedger.MAX_METADATA_BYTES);
        assertThat(OffsetLedger.decode(0, metadata)).first().isEqualTo(1L);
        assertThat(OffsetLedger.decode(0, metadata)).hasSizeBetween(100, 2_000)
                .allMatch(finished::contains);
    }
}
