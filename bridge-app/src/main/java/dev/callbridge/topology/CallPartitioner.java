package dev.callbridge.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The bridge's own partitioner: a call's partition from its {@code external_unique_id}, as the Java
 * client's default partitioner computes it (murmur2 of the key's UTF-8 bytes). Kafka Streams writes
 * the repartition topic and the dispatcher writes {@code slack.call-results} this way, so a call's
 * events and results meet in one task only if its events are on this partition too.
 */
public final class CallPartitioner {

    private CallPartitioner() {}

    public static int partition(String externalUniqueId, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(externalUniqueId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
