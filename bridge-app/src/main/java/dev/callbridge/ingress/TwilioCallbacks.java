package dev.callbridge.ingress;

import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CallEventData;
import dev.callbridge.model.event.CallEventType;
import dev.callbridge.model.event.Participant;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Twilio Voice status callbacks as call events (pure: form parameters in, an {@link Intake} out, the
 * events checked as the bridge will read them).
 * A call's callbacks describe one call leg, keyed by its {@code CallSid}: answered ({@code in-progress})
 * starts it and {@code completed} ends it with its {@code CallDuration}. A conference's callbacks,
 * keyed by its {@code ConferenceSid}, start it, bring participants (by their call's {@code CallSid})
 * in and out, and end it. Every other status or event is ignored. Each event's id is the
 * resource's sid, the status or event, and Twilio's {@code SequenceNumber}, which also becomes its
 * {@code sequence}: a callback Twilio sends again is the same event, which the bridge drops.
 */
final class TwilioCallbacks {

    static final String SOURCE = "urn:callbridge:twilio";

    /** Where the webhook's fields went in the events, to name them when the bridge's codec refuses one. */
    static final Map<String, String> ORIGINS = Map.of(
            "time", "Timestamp",
            "sequence", "SequenceNumber",
            "data.duration", "CallDuration",
            "data.title", "FriendlyName",
            "data.participant.display_name", "ParticipantLabel",
            "data.join_url", "the join link made by ingress.twilio.join.url.template");

    private final JoinLinks joinLinks;
    private final InputRecords records;

    TwilioCallbacks(JoinLinks joinLinks, InputRecords records) {
        this.joinLinks = joinLinks;
        this.records = records;
    }

    /** A call progress callback (the call's {@code statusCallback}): {@code in-progress} and {@code completed} count. */
    Intake callStatus(Map<String, String> parameters) {
        Fields fields = new Fields(parameters);
        String callSid = fields.required("CallSid");
        String status = fields.required("CallStatus");
        if (!fields.violations.isEmpty()) {
            return new Intake.Invalid(fields.violations);
        }
        // queued, initiated and ringing come before the call is up; busy, no-answer, failed and canceled end one that never was.
        if (!status.equals("in-progress") && !status.equals("completed")) {
            return new Intake.Ignored("call status " + status);
        }
        Long sequence = fields.sequence();
        Instant time = fields.timestamp();
        CallEventData data;
        if (status.equals("in-progress")) {
            String from = fields.optional("From");
            String to = fields.optional("To");
            List<Participant> people = new ArrayList<>();
            if (from != null) {
                people.add(Participant.external(from, from));
            }
            if (to != null && !to.equals(from)) {
                people.add(Participant.external(to, to));
            }
            String title = from != null && to != null ? "Call from " + from + " to " + to
                    : from != null ? "Call from " + from : to != null ? "Call to " + to : null;
            data = new CallEventData.Started(joinLinks.forCall(callSid), null, null, title, null, null, null, null, people);
        } else {
            data = new CallEventData.Ended(fields.seconds("CallDuration"), "completed");
        }
        if (!fields.violations.isEmpty()) {
            return new Intake.Invalid(fields.violations);
        }
        CallEventType type = data instanceof CallEventData.Started ? CallEventType.STARTED : CallEventType.ENDED;
        return event(callSid, status, sequence, time, type, data);
    }

    /** A conference status callback (the conference's {@code statusCallback}): start, join, leave and end count. */
    Intake conference(Map<String, String> parameters) {
        Fields fields = new Fields(parameters);
        String conferenceSid = fields.required("ConferenceSid");
        String event = fields.required("StatusCallbackEvent");
        if (!fields.violations.isEmpty()) {
            return new Intake.Invalid(fields.violations);
        }
        // Mute, hold, modify, speech and announcement events change nothing Slack shows.
        if (!List.of("conference-start", "participant-join", "participant-leave", "conference-end").contains(event)) {
            return new Intake.Ignored("conference event " + event);
        }
        Long sequence = fields.sequence();
        Instant time = fields.timestamp();
        CallEventType type;
        CallEventData data;
        switch (event) {
            case "conference-start" -> {
                type = CallEventType.STARTED;
                data = new CallEventData.Started(joinLinks.forCall(conferenceSid), null, null,
                        fields.optional("FriendlyName"), null, null, null, null, List.of());
            }
            case "participant-join" -> {
                type = CallEventType.PARTICIPANT_JOINED;
                data = new CallEventData.Joined(participant(fields));
            }
            case "participant-leave" -> {
                type = CallEventType.PARTICIPANT_LEFT;
                data = new CallEventData.Left(participant(fields));
            }
            default -> {
                // No duration: the bridge takes it from the conference's start and end.
                type = CallEventType.ENDED;
                data = new CallEventData.Ended(null, fields.optional("ReasonConferenceEnded"));
            }
        }
        if (!fields.violations.isEmpty()) {
            return new Intake.Invalid(fields.violations);
        }
        return event(conferenceSid, event, sequence, time, type, data);
    }

    /** A conference participant is their call leg, shown by the label given when they were added. */
    private static Participant participant(Fields fields) {
        String callSid = fields.required("CallSid");
        String label = fields.optional("ParticipantLabel");
        return callSid == null ? null : Participant.external(callSid, label != null ? label : callSid);
    }

    private Intake event(String sid, String what, Long sequence, Instant time, CallEventType type, CallEventData data) {
        String id = sid + "/" + what + "/" + sequence;
        return records.checked(List.of(new CallEvent(id, SOURCE, type, sid, time, sequence, data)), ORIGINS);
    }

    /** Reads a callback's parameters, collecting what is missing or malformed by parameter name. */
    private static final class Fields {
        private final Map<String, String> parameters;
        private final List<Violation> violations = new ArrayList<>();

        Fields(Map<String, String> parameters) {
            this.parameters = parameters;
        }

        String optional(String name) {
            String value = parameters.get(name);
            return value == null || value.isBlank() ? null : value;
        }

        String required(String name) {
            String value = optional(name);
            if (value == null) {
                violations.add(new Violation(name, RejectReason.MISSING_FIELD, "is required"));
            }
            return value;
        }

        /** {@code SequenceNumber}: Twilio numbers a resource's callbacks from 0 up. */
        Long sequence() {
            String value = required("SequenceNumber");
            if (value == null) {
                return null;
            }
            if (!value.matches("\\d{1,18}")) {
                violations.add(new Violation("SequenceNumber", RejectReason.INVALID_FIELD,
                        "must be a whole number from 0 up, got \"" + value + "\""));
                return null;
            }
            return Long.parseLong(value);
        }

        /** {@code Timestamp}: when Twilio saw the change, in RFC 2822 form such as {@code Tue, 04 Aug 2015 18:09:26 +0000}. */
        Instant timestamp() {
            String value = required("Timestamp");
            if (value == null) {
                return null;
            }
            try {
                return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                violations.add(new Violation("Timestamp", RejectReason.INVALID_FIELD,
                        "must be an RFC 2822 time such as \"Tue, 04 Aug 2015 18:09:26 +0000\", got \"" + value + "\""));
                return null;
            }
        }

        Long seconds(String name) {
            String value = optional(name);
            if (value == null) {
                return null;
            }
            if (!value.matches("\\d{1,18}")) {
                violations.add(new Violation(name, RejectReason.INVALID_FIELD,
                        "must be whole seconds from 0 up, got \"" + value + "\""));
                return null;
            }
            return Long.parseLong(value);
        }
    }
}
