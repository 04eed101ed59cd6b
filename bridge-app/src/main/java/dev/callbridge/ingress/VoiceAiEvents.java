package dev.callbridge.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The voice-AI platform's webhooks as call events (pure: the JSON body in, an {@link Intake} out, the
 * events checked as the bridge will read them):
 * {@code call_started} starts the call with the caller and the agent on it, {@code call_ended} ends
 * it, {@code call_analyzed} brings the platform's analysis. The call is {@code call.call_id}, the
 * event's id the webhook's {@code event_id}, which the platform keeps when it sends a webhook again.
 */
final class VoiceAiEvents {

    static final String SOURCE = "urn:callbridge:voice-ai";
    /** The agent's participant id: the agent's name under its own prefix, so it never meets a phone number. */
    static final String AGENT_PREFIX = "agent:";

    /** Where the webhook's fields went in the events, to name them when the bridge's codec refuses one. */
    static final Map<String, String> ORIGINS = Map.ofEntries(
            Map.entry("id", "event_id"),
            Map.entry("subject", "call.call_id"),
            Map.entry("time", "occurred_at"),
            Map.entry("data.date_start", "call.started_at"),
            Map.entry("data.duration", "call.duration_seconds"),
            Map.entry("data.disconnect_reason", "call.disconnect_reason"),
            Map.entry("data.summary", "analysis.summary"),
            Map.entry("data.sentiment", "analysis.sentiment"),
            Map.entry("data.recording_url", "analysis.recording_url"),
            Map.entry("data.transcript_url", "analysis.transcript_url"),
            Map.entry("data.join_url", "the join link made by ingress.voiceai.join.url.template"));

    private final JoinLinks joinLinks;
    private final InputRecords records;

    VoiceAiEvents(JoinLinks joinLinks, InputRecords records) {
        this.joinLinks = joinLinks;
        this.records = records;
    }

    Intake read(JsonNode body) {
        if (body == null || !body.isObject()) {
            return new Intake.Invalid(List.of(new Violation("body", RejectReason.UNPARSEABLE, "must be a JSON object")));
        }
        Fields fields = new Fields();
        String event = fields.requiredText(body, "event");
        if (event != null && !List.of("call_started", "call_ended", "call_analyzed").contains(event)) {
            return new Intake.Ignored("event " + event);
        }
        String id = fields.requiredText(body, "event_id");
        Instant time = fields.time(body, "occurred_at", true);
        JsonNode call = fields.object(body, "call", true);
        String callId = call == null ? null : fields.requiredText(call, "call_id", "call.call_id");
        if (!fields.violations.isEmpty()) {
            return new Intake.Invalid(fields.violations);
        }
        CallEventType type;
        CallEventData data;
        switch (event) {
            case "call_started" -> {
                type = CallEventType.STARTED;
                data = started(fields, call, callId);
            }
            case "call_ended" -> {
                type = CallEventType.ENDED;
                data = new CallEventData.Ended(fields.seconds(call, "duration_seconds", "call.duration_seconds"),
                        fields.optionalText(call, "disconnect_reason", "call.disconnect_reason"));
            }
            default -> {
                type = CallEventType.ANALYZED;
                data = analyzed(fields, body);
            }
        }
        if (!fields.violations.isEmpty()) {
            return new Intake.Invalid(fields.violations);
        }
        return records.checked(List.of(new CallEvent(id, SOURCE, type, callId, time, null, data)), ORIGINS);
    }

    private CallEventData.Started started(Fields fields, JsonNode call, String callId) {
        String from = fields.optionalText(call, "from_number", "call.from_number");
        String to = fields.optionalText(call, "to_number", "call.to_number");
        String agent = fields.optionalText(call, "agent_name", "call.agent_name");
        Instant startedAt = fields.time(call, "started_at", "call.started_at", false);
        List<Participant> people = new ArrayList<>();
        if (from != null) {
            people.add(Participant.external(from, from));
        }
        if (agent != null) {
            people.add(Participant.external(AGENT_PREFIX + agent, agent));
        }
        return new CallEventData.Started(joinLinks.forCall(callId), null, null,
                to != null ? "Call with " + to : agent, null,
                startedAt == null ? null : startedAt.getEpochSecond(), null, null, people);
    }

    private static CallEventData.Analyzed analyzed(Fields fields, JsonNode body) {
        JsonNode analysis = fields.object(body, "analysis", true);
        if (analysis == null) {
            return null;
        }
        return new CallEventData.Analyzed(
                fields.optionalText(analysis, "summary", "analysis.summary"),
                fields.optionalText(analysis, "sentiment", "analysis.sentiment"),
                fields.optionalText(analysis, "recording_url", "analysis.recording_url"),
                fields.optionalText(analysis, "transcript_url", "analysis.transcript_url"));
    }

    /** Reads a webhook's JSON, collecting what is missing or malformed by its path in the body. */
    private static final class Fields {
        private final List<Violation> violations = new ArrayList<>();

        String requiredText(JsonNode object, String name) {
            return requiredText(object, name, name);
        }

        String requiredText(JsonNode object, String name, String path) {
            String value = optionalText(object, name, path);
            if (value == null && violations.stream().noneMatch(v -> v.field().equals(path))) {
                violations.add(new Violation(path, RejectReason.MISSING_FIELD, "is required"));
            }
            return value;
        }

        String optionalText(JsonNode object, String name, String path) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual()) {
                violations.add(new Violation(path, RejectReason.INVALID_FIELD, "must be a string, got " + kind(node)));
                return null;
            }
            return node.asText().isBlank() ? null : node.asText();
        }

        JsonNode object(JsonNode parent, String name, boolean required) {
            JsonNode node = parent.get(name);
            if (node == null || node.isNull()) {
                if (required) {
                    violations.add(new Violation(name, RejectReason.MISSING_FIELD, "is required"));
                }
                return null;
            }
            if (!node.isObject()) {
                violations.add(new Violation(name, RejectReason.INVALID_FIELD, "must be an object, got " + kind(node)));
                return null;
            }
            return node;
        }

        Instant time(JsonNode object, String name, boolean required) {
            return time(object, name, name, required);
        }

        Instant time(JsonNode object, String name, String path, boolean required) {
            String value = required ? requiredText(object, name, path) : optionalText(object, name, path);
            if (value == null) {
                return null;
            }
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                violations.add(new Violation(path, RejectReason.INVALID_FIELD,
                        "must be an RFC 3339 time such as 2026-01-31T09:30:00Z, got \"" + value + "\""));
                return null;
            }
        }

        Long seconds(JsonNode object, String name, String path) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
                violations.add(new Violation(path, RejectReason.INVALID_FIELD,
                        "must be whole seconds from 0 up, got " + node));
                return null;
            }
            return node.asLong();
        }

        private static String kind(JsonNode node) {
            return node.getNodeType().name().toLowerCase(Locale.ROOT);
        }
    }
}
