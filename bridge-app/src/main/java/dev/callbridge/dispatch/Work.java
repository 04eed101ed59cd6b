package dev.callbridge.dispatch;

import dev.callbridge.model.op.CallOp;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One consumed operation and where it stands.
 *
 * @param lease the claim on the operation's partition; once revoked, the operation is never sent
 * @param due when the operation may go: its backoff's end or its reserved slot; {@code null} when new
 * @param reserved whether it holds a slot of this process's rate limiter starting at {@code due}
 * @param silence when the reconciler last heard of it, and how long it waits; {@code null} when unknown
 * @param uncertain whether an earlier attempt may have reached Slack without its answer being kept
 * @param announced whether the committed offsets already name it as sending
 * @param checked whether Slack was asked, this turn, if an uncertain call block or thread reply is already posted
 */
record Work(ConsumerRecord<byte[], byte[]> record, TopicPartition partition, Lease lease, CallOp op, Attempts attempts,
        Instant due, boolean reserved, DispatchHeaders.Silence silence, boolean uncertain, boolean announced,
        boolean checked) {

    long offset() {
        return record.offset();
    }

    /**
     * Whether a repeat of this operation would show in Slack: a second Slack call, a second call block,
     * or a second reply in its thread.
     */
    boolean repeatShows() {
        return op instanceof CallOp.AddCall || op instanceof CallOp.PostCallBlock || op instanceof CallOp.ThreadPost;
    }

    Work at(Instant newDue, boolean newReserved) {
        return new Work(record, partition, lease, op, attempts, newDue, newReserved, silence, uncertain, announced, checked);
    }

    Work announcedNow() {
        return new Work(record, partition, lease, op, attempts, due, reserved, silence, uncertain, true, checked);
    }

    Work checkedNow() {
        return new Work(record, partition, lease, op, attempts, due, reserved, silence, uncertain, announced, true);
    }
}
