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
        boolean ended;
        Long duration;

        Call(String id, String externalUniqueId) {
            this.id = id;
            this.externalUniqueId = externalUniqueId;
        }
    }

    private final Map<String, Call> calls = new HashMap<>();
    private final Map<String, Integer> addsByExternalId = new HashMap<>();
    private final List<CallOp> requests = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    /** Applies one operation as Slack would and answers it. */
    OpResult answer(CallOp op, int attempt) {
        requests.add(op);
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

    private static OpResult ok(CallOp op, int attempt, String slackCallId) {
        return new OpResult.Succeeded(op.opId(), op.externalUniqueId(), op.method(), attempt, slackCallId,
                op instanceof CallOp.PostCallBlock ? "1700000000.000100" : null, null);
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
