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
        assertThat(offsets.get(OPS).metadata()).isEqualTo("v2;f=1,3;s=");
        ledger.committed(offsets);
        assertThat(ledger.toCommit()).isEmpty();

        ledger.finish(OPS, 11);
        ledger.finish(OPS, 13);
        assertThat(ledger.toCommit()).containsExactly(Map.entry(OPS, new OffsetAndMetadata(15, "")));
    }

    @Test
    void afterARestartTheOperationsFinishedAboveTheOffsetAreSkippedAndStayNamedUntilPassed() {
        ledger.restore(OPS, new OffsetAndMetadata(11, "v2;f=1,3;s="));

        assertThat(ledger.seen(OPS, 11)).isEqualTo(OffsetLedger.Seen.NEW);
        ledger.start(OPS, 11);
        assertThat(ledger.seen(OPS, 12)).isEqualTo(OffsetLedger.Seen.FINISHED);
        assertThat(ledger.seen(OPS, 12)).isEqualTo(OffsetLedger.Seen.NEW);
        assertThat(ledger.toCommit()).isEmpty();

        ledger.start(OPS, 13);
        assertThat(ledger.seen(OPS, 14)).isEqualTo(OffsetLedger.Seen.FINISHED);
        ledger.finish(OPS, 13);
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.toCommit();
        assertThat(offsets.get(OPS)).isEqualTo(new OffsetAndMetadata(11, "v2;f=1-3;s="));
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
        assertThat(OffsetLedger.decode(5, null).finished()).isEmpty();
        assertThat(OffsetLedger.decode(5, "").finished()).isEmpty();
        assertThat(OffsetLedger.decode(5, "written by some other tool").finished()).isEmpty();
        assertThat(OffsetLedger.decode(5, "v2;f=2,x;s=").finished()).isEmpty();
        assertThat(OffsetLedger.decode(5, "v2;f=3-1;s=").finished()).isEmpty();
        assertThat(OffsetLedger.decode(5, "v2;f=2,4-6;s=3").finished()).containsExactly(7L, 9L, 10L, 11L);
        assertThat(OffsetLedger.decode(5, "v2;f=2,4-6;s=3").sending()).containsExactly(8L);
    }

    @Test
    void metadataWrittenBeforeAnnouncementsIsStillRead() {
        assertThat(OffsetLedger.decode(5, "finished-above:2,4").finished()).containsExactly(7L, 9L);
        ledger.restore(OPS, new OffsetAndMetadata(5, "finished-above:2,4"));
        assertThat(ledger.seen(OPS, 7)).isEqualTo(OffsetLedger.Seen.FINISHED);
    }

    @Test
    void hundredsFinishedAboveOneSlowOperationAreAllNamedAfterACrash() {
        ledger.restore(OPS, new OffsetAndMetadata(0));
        for (long offset = 0; offset <= 2_000; offset++) {
            ledger.start(OPS, offset);
        }
        for (long offset = 1; offset <= 2_000; offset++) {
            ledger.finish(OPS, offset);
        }
        OffsetAndMetadata committed = ledger.toCommit().get(OPS);
        assertThat(committed.offset()).isZero();
        assertThat(committed.metadata().length()).isLessThanOrEqualTo(OffsetLedger.MAX_METADATA_BYTES);

        OffsetLedger restarted = new OffsetLedger();
        restarted.restore(OPS, committed);
        assertThat(restarted.seen(OPS, 0)).isEqualTo(OffsetLedger.Seen.NEW);
        for (long offset = 1; offset <= 2_000; offset++) {
            assertThat(restarted.seen(OPS, offset)).as("offset %d", offset).isEqualTo(OffsetLedger.Seen.FINISHED);
        }
    }

    @Test
    void aPartitionWhoseMetadataWouldNotFitTakesNoMoreUntilTheOldestFinishes() {
        ledger.restore(OPS, new OffsetAndMetadata(0));
        long offset = 0;
        while (ledger.hasRoom(OPS)) {
            // every other operation still in flight: as scattered as finished operations get
            ledger.start(OPS, offset);
            if (offset % 2 == 1) {
                ledger.finish(OPS, offset);
            }
            offset++;
        }
        assertThat(offset).as("hundreds fit").isGreaterThan(150);
        assertThat(ledger.toCommit().get(OPS).metadata().length()).isLessThanOrEqualTo(OffsetLedger.MAX_METADATA_BYTES);
        for (long inFlight = 0; inFlight < offset; inFlight += 2) {
            ledger.finish(OPS, inFlight);
        }
        assertThat(ledger.hasRoom(OPS)).isTrue();
        assertThat(ledger.toCommit().get(OPS)).isEqualTo(new OffsetAndMetadata(offset, ""));
    }

    @Test
    void anAnnouncedOperationIsKnownAsMaybeSentAfterARestartUntilItFinishes() {
        ledger.restore(OPS, new OffsetAndMetadata(0));
        ledger.start(OPS, 0);
        ledger.start(OPS, 1);
        ledger.start(OPS, 2);
        ledger.announce(OPS, 1);
        ledger.finish(OPS, 2);
        OffsetAndMetadata committed = ledger.toCommit().get(OPS);
        assertThat(committed).isEqualTo(new OffsetAndMetadata(0, "v2;f=2;s=1"));

        OffsetLedger restarted = new OffsetLedger();
        restarted.restore(OPS, committed);
        assertThat(restarted.seen(OPS, 0)).isEqualTo(OffsetLedger.Seen.NEW);
        assertThat(restarted.seen(OPS, 1)).isEqualTo(OffsetLedger.Seen.MAYBE_SENT);
        assertThat(restarted.seen(OPS, 2)).isEqualTo(OffsetLedger.Seen.FINISHED);
        restarted.start(OPS, 0);
        restarted.start(OPS, 1);
        restarted.finish(OPS, 0);
        assertThat(restarted.toCommit().get(OPS)).as("still maybe sent: named again for a second crash")
                .isEqualTo(new OffsetAndMetadata(1, "v2;f=1;s=0"));
        OffsetLedger again = new OffsetLedger();
        again.restore(OPS, restarted.toCommit().get(OPS));
        assertThat(again.seen(OPS, 1)).isEqualTo(OffsetLedger.Seen.MAYBE_SENT);
    }

    @Test
    void announcementsNeverFollowedByARequestAreWithdrawnAndEarlierOnesStay() {
        ledger.restore(OPS, new OffsetAndMetadata(0, "v2;f=;s=0"));
        ledger.seen(OPS, 0);
        ledger.start(OPS, 0);
        ledger.start(OPS, 1);
        ledger.start(OPS, 2);
        ledger.announce(OPS, 1);
        ledger.announce(OPS, 2);

        ledger.withdrawUnrequested(OPS, offset -> offset == 2);

        assertThat(ledger.toCommit().get(OPS)).as("0 was maybe sent before, 2 was requested, 1 never was")
                .isEqualTo(new OffsetAndMetadata(0, "v2;f=;s=0,2"));
    }

    @Test
    void whatOperationsInFlightMayStillAddIsLeftRoomFor() {
        ledger.restore(OPS, new OffsetAndMetadata(0));
        long offset = 0;
        while (ledger.hasRoom(OPS)) {
            ledger.start(OPS, offset++);
        }
        // The worst order: every other one finishes, then each is announced, splitting runs as much as it can.
        for (long n = 1; n < offset; n += 2) {
            ledger.finish(OPS, n);
        }
        for (long n = 0; n < offset; n += 2) {
            ledger.announce(OPS, n);
        }
        assertThat(ledger.toCommit().get(OPS).metadata().length()).isLessThanOrEqualTo(OffsetLedger.MAX_METADATA_BYTES);
        assertThat(offset).as("still hundreds in flight").isGreaterThan(100);
    }
}
