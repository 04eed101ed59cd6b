package dev.callbridge.devkit.bench;

import dev.callbridge.model.op.CallOp;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Slack side alone: the operations the bridge sent in a run, sent again through the bridge's own
 * Slack client (the official SDK, set up as {@code bridge run} sets it up) by as many threads as the
 * dispatcher has workers, with no Kafka at all. Each call's operations go in their order, one at a
 * time, as the dispatcher keeps one in flight per call; each names the Slack call that its own
 * {@code calls.add} created.
 */
final class SlackAlone {

    private SlackAlone() {}

    /**
     * Sends {@code ops} and returns once every one was answered.
     *
     * @return operations answered other than ok, or not sent because their call's {@code calls.add} failed
     */
    static long send(List<CallOp> ops, SlackClient slack, int threads) {
        Map<String, List<CallOp>> byCall = new LinkedHashMap<>();
        ops.forEach(op -> byCall.computeIfAbsent(op.externalUniqueId(), id -> new ArrayList<>()).add(op));
        ConcurrentLinkedQueue<List<CallOp>> queue = new ConcurrentLinkedQueue<>(byCall.values());
        AtomicLong failed = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "slack-alone");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                running.add(workers.submit(() -> {
                    for (List<CallOp> call = queue.poll(); call != null; call = queue.poll()) {
                        failed.addAndGet(sendCall(call, slack));
                    }
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending to Slack failed", e.getCause());
        } finally {
            workers.shutdownNow();
        }
        return failed.get();
    }

    private static long sendCall(List<CallOp> ops, SlackClient slack) {
        long failed = 0;
        String slackCallId = null;
        for (CallOp op : ops) {
            boolean needsCall = !(op instanceof CallOp.AddCall);
            if (needsCall && slackCallId == null) {
                failed++;
                continue;
            }
            SlackAnswer answer = slack.send(needsCall ? onCall(op, slackCallId) : op);
            if (answer instanceof SlackAnswer.Ok ok) {
                if (op instanceof CallOp.AddCall) {
                    slackCallId = ok.slackCallId();
                }
            } else if (!(answer instanceof SlackAnswer.Info)) {
                failed++;
            }
        }
        return failed;
    }

    /** The operation on the Slack call this run created instead of the one the bridge's run did. */
    private static CallOp onCall(CallOp op, String id) {
        if (op instanceof CallOp.PostCallBlock post) {
            return new CallOp.PostCallBlock(post.opId(), post.externalUniqueId(), post.teamId(), id, post.channel(),
                    post.text());
        }
        if (op instanceof CallOp.AddParticipants add) {
            return new CallOp.AddParticipants(add.opId(), add.externalUniqueId(), add.teamId(), id, add.users());
        }
        if (op instanceof CallOp.RemoveParticipants remove) {
            return new CallOp.RemoveParticipants(remove.opId(), remove.externalUniqueId(), remove.teamId(), id,
                    remove.users());
        }
        if (op instanceof CallOp.UpdateCall update) {
            return new CallOp.UpdateCall(update.opId(), update.externalUniqueId(), update.teamId(), id, update.title(),
                    update.joinUrl(), update.desktopAppJoinUrl());
        }
        if (op instanceof CallOp.EndCall end) {
            return new CallOp.EndCall(end.opId(), end.externalUniqueId(), end.teamId(), id, end.duration(),
                    end.reason());
        }
        if (op instanceof CallOp.InspectCall inspect) {
            return new CallOp.InspectCall(inspect.opId(), inspect.externalUniqueId(), inspect.teamId(), id);
        }
        throw new IllegalArgumentException("the benchmark cannot send " + op.method() + " again on its own");
    }
}
