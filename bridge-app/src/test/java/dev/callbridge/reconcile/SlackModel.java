package dev.callbridge.reconcile;

import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small in-memory Slack for reconciler tests: it keeps calls the way Slack's Calls API does and
 * records every request it could not have accepted (an operation on an unknown or ended call, a
 * second {@code calls.add} for one external id) as a violation.
 */
final class SlackModel {

    /** One Slack call as Slack would show it. */
    static final class Call {
        final String id;
        final String externalUniqueId;
        final Map<String, Participant> users = new TreeMap<>();
        String title;
        String joinUrl;
        boolean blockPosted;
        String blockTs;
        boolean ended;
        Long duration;
        /** The bridge's replies in the block's thread, in order. */
        final List<CallOp> replies = new ArrayList<>();
        String controlTs;
        /** What the End call control says once updated; {@code null} while it shows the button. */
        String controlShows;

        Call(String id, String externalUniqueId) {
            this.id = id;
            this.externalUniqueId = externalUniqueId;
        }
    }

    /** The conversation id Slack answers for every message. */
    static final String CHANNEL = "C0CALLS";

    private final Map<String, Call> calls = new HashMap<>();
    private int messages;
    private final Map<String, Integer> addsByExternalId = new HashMap<>();
    private final List<CallOp> requests = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    /** Applies one operation as Slack would and answers it. */
    OpResult answer(CallOp op, int attempt) {
        requests.add(op);
        if (op instanceof CallOp.ThreadPost || op instanceof CallOp.ShowCallEnded) {
            return inThread(op, attempt);
        }
        if (op instanceof CallOp.AddCall add) {
            int adds = addsByExternalId.merge(add.externalUniqueId(), 1, Integer::sum);
            if (adds > 1) {
                violations.add("second calls.add for " + add.externalUniqueId());
            }
            Call call = new Call("R" + (calls.size() + 1), add.externalUniqueId());
            add.users().forEach(p -> call.users.put(p.key(), p));
            call.title = add.title();
            call.joinUrl = add.joinUrl();
            calls.put(call.id, call);
            return ok(op, attempt, call.id);
        }
        Call call = calls.get(slackCallId(op));
        if (call == null) {
            violations.add(op.method().apiName() + " for unknown call " + slackCallId(op));
            return new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempt, "invalid_call_id", false);
        }
        if (op instanceof CallOp.InspectCall) {
            return new OpResult.Inspected(op.opId(), op.externalUniqueId(), op.method(), attempt, call.id, call.ended,
                    List.copyOf(call.users.values()), call.title, call.joinUrl, null,
                    call.blockPosted ? List.of("C0CALLS") : List.of());
        }
        if (call.ended && !(op instanceof CallOp.PostCallBlock)) {
            violations.add(op.method().apiName() + " on ended call " + call.id);
            return new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempt, "inactive_call", false);
        }
        if (op instanceof CallOp.PostCallBlock) {
            call.blockPosted = true;
            call.blockTs = nextTs();
            return new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(), attempt, null, call.blockTs,
                    CHANNEL, null);
        } else if (op instanceof CallOp.AddParticipants add) {
            add.users().forEach(p -> call.users.put(p.key(), p));
        } else if (op instanceof CallOp.RemoveParticipants remove) {
            remove.users().forEach(p -> call.users.remove(p.key()));
        } else if (op instanceof CallOp.UpdateCall update) {
            call.title = update.title();
            call.joinUrl = update.joinUrl();
        } else if (op instanceof CallOp.EndCall end) {
            call.ended = true;
            call.duration = end.duration();
        }
        return ok(op, attempt, null);
    }

    /** A reply in a call block's thread, or the update of the End call control: allowed on ended calls too. */
    private OpResult inThread(CallOp op, int attempt) {
        Call call = callsFor(op.externalUniqueId()).stream().filter(c -> c.blockTs != null).findFirst().orElse(null);
        if (call == null) {
            violations.add(op.method().apiName() + " for " + op.externalUniqueId() + ", which has no call block");
            return new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempt, "thread_not_found", false);
        }
        if (op instanceof CallOp.ShowCallEnded shown) {
            if (!shown.ts().equals(call.controlTs)) {
                violations.add("chat.update of a message that is not the End call control: " + shown.ts());
                return new OpResult.Failed(op.opId(), op.externalUniqueId(), op.method(), attempt, "message_not_found",
                        false);
            }
            call.controlShows = shown.reason() == null ? "Call ended" : "Call ended: " + shown.reason();
            return new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(), attempt, null, shown.ts(),
                    CHANNEL, null);
        }
        CallOp.ThreadPost post = (CallOp.ThreadPost) op;
        if (!post.threadTs().equals(call.blockTs) || !CHANNEL.equals(post.channel())) {
            violations.add("reply outside the call block's thread: " + post);
        }
        if (call.replies.stream().anyMatch(r -> ((CallOp.ThreadPost) r).reply() == post.reply())) {
            violations.add("second " + post.reply().wireName() + " reply for " + op.externalUniqueId());
        }
        call.replies.add(op);
        String ts = nextTs();
        if (op instanceof CallOp.PostEndCallControl) {
            call.controlTs = ts;
        }
        return new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(), attempt, null, ts, CHANNEL, null);
    }

    private String nextTs() {
        return "1700000000." + String.format("%06d", ++messages);
    }

    private static OpResult ok(CallOp op, int attempt, String slackCallId) {
        return new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(), attempt, slackCallId, null, null,
                null);
    }

    private static String slackCallId(CallOp op) {
        if (op instanceof CallOp.PostCallBlock post) {
            return post.slackCallId();
        }
        if (op instanceof CallOp.AddParticipants add) {
            return add.slackCallId();
        }
        if (op instanceof CallOp.RemoveParticipants remove) {
            return remove.slackCallId();
        }
        if (op instanceof CallOp.UpdateCall update) {
            return update.slackCallId();
        }
        if (op instanceof CallOp.InspectCall inspect) {
            return inspect.slackCallId();
        }
        return ((CallOp.EndCall) op).slackCallId();
    }

    List<Call> callsFor(String externalUniqueId) {
        return calls.values().stream().filter(c -> c.externalUniqueId.equals(externalUniqueId)).toList();
    }

    int adds(String externalUniqueId) {
        return addsByExternalId.getOrDefault(externalUniqueId, 0);
    }

    List<CallOp> requests() {
        return List.copyOf(requests);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }
}
