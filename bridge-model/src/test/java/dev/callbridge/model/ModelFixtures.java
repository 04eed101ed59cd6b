package dev.callbridge.model;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.EventOrder;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.json.WireJson;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.model.state.DesiredCall;
import dev.callbridge.model.state.ObservedCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** One support call, seen as events, Slack operations, results and bridge state; shared by the model's tests. */
public final class ModelFixtures {

    public static final String CALL_ID = "6f1c2a90-3d5e-4b8f-9a41-2c7d8e0b5f13";
    public static final String SOURCE = "//pbx.example.com/acme";
    public static final String TEAM = "T0ACME";
    public static final String SLACK_CALL_ID = "R0CALL1";
    /** The message ts of the support call's call block, whose thread its replies go in. */
    public static final String BLOCK_TS = "1769851801.000100";
    public static final String JOIN_URL = "https://pbx.example.com/join/6f1c2a90";
    public static final String DESKTOP_URL = "pbxapp://join/6f1c2a90";
    public static final Instant STARTED_AT = Instant.parse("2026-01-31T09:30:00Z");
    public static final long STARTED_AT_SECONDS = 1_769_851_800L;

    public static final Participant ALICE = Participant.slackUser("U0ALICE");
    public static final Participant BOB =
            new Participant(null, "+15550100", "Bob Caller", "https://example.com/avatars/bob.png");

    /** Attributes of the hand-written events in codec tests: see {@link #structuredEvent} and {@link #binaryHeaders}. */
    public static final String EVENT_ID = "evt-42";
    public static final long EVENT_SEQUENCE = 42;

    private ModelFixtures() {}


    /**
     * A structured-mode CloudEvent with the standard test attributes and the given {@code data}
     * (JSON text, or {@code null} to leave {@code data} out). Tests edit the returned object to
     * break one attribute at a time.
     */
    public static ObjectNode structuredEvent(String type, String dataJson) {
        ObjectNode event = WireJson.mapper().createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", EVENT_ID);
        event.put("source", SOURCE);
        event.put("type", type);
        event.put("subject", CALL_ID);
        event.put("time", STARTED_AT.toString());
        event.put("sequence", EVENT_SEQUENCE);
        event.put("datacontenttype", "application/json");
        if (dataJson != null) {
            event.set("data", json(dataJson));
        }
        return event;
    }

    /** The same attributes as {@link #structuredEvent}, as binary-mode Kafka headers. */
    public static Map<String, String> binaryHeaders(String type) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce_specversion", "1.0");
        headers.put("ce_id", EVENT_ID);
        headers.put("ce_source", SOURCE);
        headers.put("ce_type", type);
        headers.put("ce_subject", CALL_ID);
        headers.put("ce_time", STARTED_AT.toString());
        headers.put("ce_sequence", Long.toString(EVENT_SEQUENCE));
        headers.put("content-type", "application/json");
        return headers;
    }

    /** What {@link #structuredEvent} and {@link #binaryHeaders} decode to, given the decoded data. */
    public static CallEvent expectedEvent(String type, CallEventData data) {
        CallEventType eventType = CallEventType.fromWireName(type).orElseThrow();
        return new CallEvent(EVENT_ID, SOURCE, eventType, CALL_ID, STARTED_AT, EVENT_SEQUENCE, data);
    }

    public static CallEvent callStarted() {
        return new CallEvent("evt-1", SOURCE, CallEventType.STARTED, CALL_ID, STARTED_AT, 1L,
                new CallEventData.Started(JOIN_URL, DESKTOP_URL, "4711", "Support line", "U0HOST",
                        STARTED_AT_SECONDS, "C0SUPPORT", TEAM, List.of(ALICE, BOB)));
    }

    /** The call events of the support call, one or more of each type, as a provider would send them. */
    public static Stream<CallEvent> supportCallEvents() {
        return Stream.of(
                callStarted(),
                new CallEvent("evt-1b", SOURCE, CallEventType.STARTED, CALL_ID, STARTED_AT, null,
                        new CallEventData.Started(JOIN_URL, null, null, null, null, null, null, null, List.of())),
                new CallEvent("evt-2", SOURCE, CallEventType.PARTICIPANT_JOINED, CALL_ID,
                        STARTED_AT.plusMillis(20_250), 2L, new CallEventData.Joined(BOB)),
                new CallEvent("evt-3", SOURCE, CallEventType.PARTICIPANT_LEFT, CALL_ID,
                        STARTED_AT.plusNanos(61_000_000_123L), 3L, new CallEventData.Left(ALICE)),
                new CallEvent("evt-4", SOURCE, CallEventType.UPDATED, CALL_ID, STARTED_AT.plusSeconds(90), null,
                        new CallEventData.Updated("Escalation", null, JOIN_URL + "?pin=4711")),
                new CallEvent("evt-5", SOURCE, CallEventType.ENDED, CALL_ID, STARTED_AT.plusSeconds(754), 5L,
                        new CallEventData.Ended(754L, "completed")),
                new CallEvent("evt-5b", SOURCE, CallEventType.ENDED, CALL_ID, STARTED_AT.plusSeconds(754), null,
                        new CallEventData.Ended(null, null)));
    }


    public static CallOp.AddCall addCall() {
        return new CallOp.AddCall(opId(0, SlackMethod.CALLS_ADD), CALL_ID, TEAM, JOIN_URL, DESKTOP_URL, "4711",
                "Support line", "U0HOST", STARTED_AT_SECONDS, List.of(ALICE, BOB));
    }

    public static CallOp.PostCallBlock postCallBlock() {
        return new CallOp.PostCallBlock(opId(1, SlackMethod.CHAT_POST_MESSAGE), CALL_ID, TEAM, SLACK_CALL_ID,
                "C0SUPPORT", "Support line started");
    }

    public static CallOp.AddParticipants addParticipants() {
        return new CallOp.AddParticipants(opId(2, SlackMethod.CALLS_PARTICIPANTS_ADD), CALL_ID, TEAM,
                SLACK_CALL_ID, List.of(BOB));
    }

    public static CallOp.RemoveParticipants removeParticipants() {
        return new CallOp.RemoveParticipants(opId(3, SlackMethod.CALLS_PARTICIPANTS_REMOVE), CALL_ID, TEAM,
                SLACK_CALL_ID, List.of(ALICE));
    }

    public static CallOp.UpdateCall updateCall() {
        return new CallOp.UpdateCall(opId(4, SlackMethod.CALLS_UPDATE), CALL_ID, null, SLACK_CALL_ID,
                "Escalation", JOIN_URL, null);
    }

    public static CallOp.EndCall endCall() {
        return new CallOp.EndCall(opId(5, SlackMethod.CALLS_END), CALL_ID, TEAM, SLACK_CALL_ID, 754L, "completed");
    }

    /** {@code calls.info} asked by the reconciler itself, in an incarnation of the call's state. */
    public static CallOp.InspectCall inspectCall() {
        return new CallOp.InspectCall(CallOp.opId(CALL_ID, "k1x9a0", 6, SlackMethod.CALLS_INFO), CALL_ID, TEAM,
                SLACK_CALL_ID);
    }

    public static CallOp.PostAnalysis postAnalysis() {
        return new CallOp.PostAnalysis(opId(7, SlackMethod.CHAT_POST_MESSAGE), CALL_ID, TEAM, "C0SUPPORT", BLOCK_TS,
                "Bob asked for a refund <today> & got it.", "positive", "https://pbx.example.com/rec/1.mp3", null,
                false);
    }

    public static CallOp.PostEndCallControl postEndCallControl() {
        return new CallOp.PostEndCallControl(opId(2, SlackMethod.CHAT_POST_MESSAGE), CALL_ID, TEAM, "C0SUPPORT",
                BLOCK_TS, true);
    }

    public static CallOp.ShowCallEnded showCallEnded() {
        return new CallOp.ShowCallEnded(opId(6, SlackMethod.CHAT_UPDATE), CALL_ID, TEAM, "C0SUPPORT",
                "1769851805.000300", "completed");
    }

    public static CallOp.FindReply findReply() {
        return CallOp.FindReply.before(postAnalysis());
    }

    public static String opId(long n, SlackMethod method) {
        return CallOp.opId(CALL_ID, n, method);
    }


    public static OpResult.Succeeded callAdded() {
        return new OpResult.Succeeded(opId(0, SlackMethod.CALLS_ADD), CALL_ID, SlackMethod.CALLS_ADD, 1,
                SLACK_CALL_ID, null, null, null);
    }

    public static OpResult.Succeeded blockPosted() {
        return new OpResult.Succeeded(opId(1, SlackMethod.CHAT_POST_MESSAGE), CALL_ID, SlackMethod.CHAT_POST_MESSAGE, 1,
                null, BLOCK_TS, "C0SUPPORT", null);
    }

    public static OpResult.RateLimited participantsAddRateLimited() {
        return new OpResult.RateLimited(opId(2, SlackMethod.CALLS_PARTICIPANTS_ADD), CALL_ID,
                SlackMethod.CALLS_PARTICIPANTS_ADD, 2, Duration.ofSeconds(30));
    }

    public static OpResult.Retrying updateRetrying() {
        return new OpResult.Retrying(opId(4, SlackMethod.CALLS_UPDATE), CALL_ID, SlackMethod.CALLS_UPDATE, 3,
                "internal_error");
    }

    public static OpResult.Failed postBlockFailed() {
        return new OpResult.Failed(opId(1, SlackMethod.CHAT_POST_MESSAGE), CALL_ID, SlackMethod.CHAT_POST_MESSAGE, 1,
                "channel_not_found", false);
    }

    public static OpResult.Redriven addParticipantsRedriven() {
        return OpResult.Redriven.of(addParticipants(), "slack.call-ops.dlt/3/118");
    }

    public static OpResult.Expired participantsAddExpired() {
        return new OpResult.Expired(opId(3, SlackMethod.CALLS_PARTICIPANTS_ADD), CALL_ID,
                SlackMethod.CALLS_PARTICIPANTS_ADD, 2);
    }

    public static OpResult.Inspected callInspected() {
        return new OpResult.Inspected(CALL_ID + ":inspect:1763700000000", CALL_ID, SlackMethod.CALLS_INFO, 1,
                "R0123ABCDEF", false, List.of(Participant.slackUser("U024BE7LH"),
                        Participant.external("+15551230000", "Caller")), "Support line", null, null,
                List.of("C0SUPPORT"));
    }



    /**
     * The support call after it ended at the provider: Slack has the call with Alice on it, Bob's
     * join was never accepted, and the removal of Alice is waiting out a rate limit.
     */
    public static CallState endingCallState() {
        EventOrder started = new EventOrder(1L, STARTED_AT);
        EventOrder bobJoined = new EventOrder(2L, STARTED_AT.plusSeconds(20));
        EventOrder aliceLeft = new EventOrder(3L, STARTED_AT.plusSeconds(61));
        EventOrder ended = new EventOrder(5L, STARTED_AT.plusSeconds(754));

        Map<String, DesiredCall.Presence> desiredParticipants = new TreeMap<>();
        desiredParticipants.put(ALICE.key(), new DesiredCall.Presence(ALICE, false, aliceLeft));
        desiredParticipants.put(BOB.key(), new DesiredCall.Presence(BOB, true, bobJoined));
        DesiredCall desired = new DesiredCall(
                new DesiredCall.Start("4711", "U0HOST", STARTED_AT_SECONDS, "C0SUPPORT", TEAM, started, SOURCE),
                new DesiredCall.Versioned("Support line", started),
                new DesiredCall.Versioned(JOIN_URL, started),
                new DesiredCall.Versioned(DESKTOP_URL, started),
                new TreeMap<>(desiredParticipants),
                new DesiredCall.End(754L, STARTED_AT.plusSeconds(754), "completed", false, ended),
                STARTED_AT.plusSeconds(754),
                new DesiredCall.Analysis("Bob asked for a refund <today> & got it.", "positive",
                        "https://pbx.example.com/rec/1.mp3", null, new EventOrder(6L, STARTED_AT.plusSeconds(800)),
                        "22://pbx.example.com/acme#evt-6"));

        ObservedCall observed = new ObservedCall(SLACK_CALL_ID, false, ObservedCall.BlockStatus.POSTED,
                new TreeMap<>(Map.of(ALICE.key(), ALICE)), new TreeSet<>(Set.of(BOB.key())), new TreeSet<>(),
                "Support line", JOIN_URL, DESKTOP_URL, false, null, new TreeMap<>(Map.of(BOB.key(), "user_not_found")),
                new TreeSet<>(), new ObservedCall.BlockMessage("C0SUPPORT", BLOCK_TS), null,
                ObservedCall.Reply.posted("1769851805.000300"));

        CallState.InFlight inFlight =
                new CallState.InFlight(removeParticipants(), 2, "ratelimited", STARTED_AT.plusSeconds(755),
                        STARTED_AT.plusSeconds(760));
        CallState.OpFailure lastFailure = new CallState.OpFailure(opId(2, SlackMethod.CALLS_PARTICIPANTS_ADD),
                SlackMethod.CALLS_PARTICIPANTS_ADD, "user_not_found", STARTED_AT.plusSeconds(22));

        return new CallState(CALL_ID, desired, observed, inFlight, 4,
                List.of("22://pbx.example.com/acme#evt-1", "22://pbx.example.com/acme#evt-5"),
                STARTED_AT.plusSeconds(755), lastFailure, "k1x9a0");
    }


    public static JsonNode json(String text) {
        try {
            return WireJson.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("test JSON does not parse: " + text, e);
        }
    }

    public static JsonNode json(byte[] bytes) {
        try {
            return WireJson.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return WireJson.mapper().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static byte[] utf8(String text) {
        return text.getBytes(UTF_8);
    }

    /** Every object field name anywhere in the tree, to check the wire spelling of a whole document. */
    public static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        collectFieldNames(node, names);
        return names;
    }

    private static void collectFieldNames(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                names.add(field.getKey());
                collectFieldNames(field.getValue(), names);
            }
        } else if (node.isArray()) {
            node.forEach(element -> collectFieldNames(element, names));
        }
    }
}
