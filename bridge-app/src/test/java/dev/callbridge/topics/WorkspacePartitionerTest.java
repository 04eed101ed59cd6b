package dev.callbridge.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

/** Operations lie on their workspace's partition, so one dispatcher paces each workspace. */
class WorkspacePartitionerTest {

    private final WorkspacePartitioner withDefault = new WorkspacePartitioner("t0default");
    private final WorkspacePartitioner withoutDefault = new WorkspacePartitioner(null);

    @Test
    void aWorkspacesPartitionIsTheOneTheJavaProducerChoosesForItsTeamIdAsKey() {
        IntStream.range(0, 300).mapToObj(n -> "T0" + Integer.toString(n * 7919, 36).toUpperCase()).forEach(team -> {
            for (int partitions : new int[] {1, 3, 6, 64}) {
                assertThat(withoutDefault.partition(team, partitions)).as(team + " of " + partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(team.getBytes(StandardCharsets.UTF_8), partitions));
            }
        });
    }

    @Test
    void everyCallOfAWorkspaceLiesOnOnePartitionWhateverItsCallId() {
        // The partition depends on the team only: a call's operations never spread, whatever its id.
        assertThat(IntStream.range(0, 50).map(n -> withoutDefault.partition("T0ACME", 6)).distinct()).hasSize(1);
        assertThat(withoutDefault.partition("t0acme", 6)).as("as Slack writes it").isEqualTo(
                withoutDefault.partition("T0ACME", 6));
    }

    @Test
    void anOperationThatNamesNoWorkspaceLiesWithTheDefaultOneOrElseOnOneStablePartition() {
        assertThat(withDefault.workspace(null)).isEqualTo("T0DEFAULT");
        assertThat(withDefault.workspace(" ")).isEqualTo("T0DEFAULT");
        assertThat(withDefault.partition(null, 6)).isEqualTo(withDefault.partition("T0DEFAULT", 6));

        assertThat(withoutDefault.workspace(null)).isEmpty();
        assertThat(withoutDefault.partition(null, 6)).isEqualTo(
                BuiltInPartitioner.partitionForKey(new byte[0], 6)).isEqualTo(withoutDefault.partition("", 6));
        assertThat(new WorkspacePartitioner(" ").workspace(null)).as("a blank default is none").isEmpty();
    }

    @Test
    void workspacesSpreadOverThePartitions() {
        Map<Integer, Integer> perPartition = new HashMap<>();
        IntStream.range(0, 600).forEach(n -> perPartition.merge(withoutDefault.partition("T" + (100_000 + n), 6), 1,
                Integer::sum));

        assertThat(perPartition).hasSize(6).allSatisfy((partition, workspaces) ->
                assertThat(workspaces).as("workspaces on partition %d", partition).isBetween(60, 140));
    }

    @Test
    void noPartitionsIsRefused() {
        assertThatThrownBy(() -> withoutDefault.partition("T1", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
