package dev.callbridge.model.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callbridge.model.json.IsoInstants;
import dev.callbridge.model.json.WireJson;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes call events as CloudEvents 1.0 in JSON: structured mode (the whole event is the
 * record value) and binary mode ({@code ce_*} headers, {@code data} as the value). Reading validates
 * everything the bridge relies on, including the ranges Slack's Calls API takes, and reports each
 * problem with the field it concerns.
 */
public final class CloudEventCodec {

    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";
    public static final String CONTENT_TYPE_HEADER = "content-type";
    public static final String BINARY_HEADER_PREFIX = "ce_";
    public static final String SPEC_VERSION = "1.0";
    /** Default largest record accepted: the value plus the text of its headers. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = WireJson.mapper();
    /** Slack's Calls API reads {@code date_start} and {@code duration} as 32-bit integers. */
    private static final long MAX_SLACK_SECONDS = Integer.MAX_VALUE;
    /** How far an event's {@code time} may lie ahead of the decoding clock: room for a fast producer clock. */
    private static final Duration MAX_TIME_AHEAD = Duration.ofDays(1);
    /** How far {@code date_start} may lie after the event's {@code time}: room for skew between a provider's clocks. */
    private static final Duration MAX_START_AFTER_TIME = Duration.ofHours(1);

    private final int maxRecordBytes;
    private final Clock clock;

    /**
     * @param clock what an event's {@code time} must not lie too far ahead of; a deserializer sees no
     *     record timestamp to judge it by
     */
    public CloudEventCodec(int maxRecordBytes, Clock clock) {
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, was " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
        this.clock = clock;
    }

    public CloudEventCodec(int maxRecordBytes) {
        this(maxRecordBytes, Clock.systemUTC());
    }

    public CloudEventCodec() {
        this(DEFAULT_MAX_RECORD_BYTES);
    }

    /** A call event in binary mode: the {@code ce_*} and content-type headers, and the data bytes. */
    public record BinaryEvent(Map<String, String> headers, byte[] data) {}

    /**
     * Decodes one record value with its headers.
     *
     * @throws InvalidEventException naming every violation found
     */
    public CallEvent decode(byte[] value, Map<String, String> headers) {
        int size = (value == null ? 0 : value.length) + headersSize(headers);
        if (size > maxRecordBytes) {
            throw InvalidEventException.of("record", RejectReason.OVERSIZE,
                    "record is " + size + " bytes, the limit is " + maxRecordBytes);
        }
        ObjectNode attributes;
        JsonNode data;
        if (headers.containsKey(BINARY_HEADER_PREFIX + "specversion")) {
            attributes = binaryAttributes(headers);
            data = value == null || value.length == 0 ? null : parse(value, "data");
        } else {
            JsonNode root = parse(value, "record");
            if (!root.isObject()) {
                throw InvalidEventException.of("record", RejectReason.UNPARSEABLE,
                        "must be a JSON object (a structured-mode CloudEvent), got " + describe(root));
            }
            attributes = (ObjectNode) root;
            data = root.get("data");
        }
        return new Reader(attributes, data, clock.instant().plus(MAX_TIME_AHEAD)).read();
    }

    public byte[] encodeStructured(CallEvent event) {
        ObjectNode root = JSON.createObjectNode();
        root.put("specversion", SPEC_VERSION);
        root.put("id", event.id());
        root.put("source", event.source());
        root.put("type", event.type().wireName());
        root.put("subject", event.subject());
        root.put("time", event.time().toString());
        if (event.sequence() != null) {
            root.put("sequence", event.sequence());
        }
        root.put("datacontenttype", "application/json");
        root.set("data", JSON.valueToTree(event.data()));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode call event " + event.id(), e);
        }
    }

    public BinaryEvent encodeBinary(CallEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(BINARY_HEADER_PREFIX + "specversion", SPEC_VERSION);
        headers.put(BINARY_HEADER_PREFIX + "id", event.id());
        headers.put(BINARY_HEADER_PREFIX + "source", event.source());
        headers.put(BINARY_HEADER_PREFIX + "type", event.type().wireName());
        headers.put(BINARY_HEADER_PREFIX + "subject", event.subject());
        headers.put(BINARY_HEADER_PREFIX + "time", event.time().toString());
        if (event.sequence() != null) {
            headers.put(BINARY_HEADER_PREFIX + "sequence", event.sequence().toString());
        }
        headers.put(CONTENT_TYPE_HEADER, "application/json");
        try {
            return new BinaryEvent(headers, JSON.writeValueAsBytes(event.data()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode call event " + event.id(), e);
        }
    }

    private static int headersSize(Map<String, String> headers) {
        int size = 0;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            size += header.getKey().length() + (header.getValue() == null ? 0 : header.getValue().length());
        }
        return size;
    }

    private static ObjectNode binaryAttributes(Map<String, String> headers) {
        ObjectNode attributes = JSON.createObjectNode();
        headers.forEach((name, value) -> {
            if (name.startsWith(BINARY_HEADER_PREFIX) && value != null) {
                attributes.put(name.substring(BINARY_HEADER_PREFIX.length()), value);
            }
        });
        String contentType = headers.get(CONTENT_TYPE_HEADER);
        if (contentType != null && !attributes.has("datacontenttype")) {
            attributes.put("datacontenttype", contentType);
        }
        return attributes;
    }

    private static JsonNode parse(byte[] bytes, String field) {
        if (bytes == null || bytes.length == 0) {
            throw InvalidEventException.of(field, RejectReason.UNPARSEABLE, "is empty");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw InvalidEventException.of(field, RejectReason.UNPARSEABLE, "is empty");
            }
            return node;
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw InvalidEventException.of(field, RejectReason.UNPARSEABLE, "is not JSON: " + reason);
        }
    }

    private static String describe(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** One decoding pass that keeps going after a problem, so the error names them all. */
    private static final class Reader {
        private final ObjectNode attributes;
        private final JsonNode data;
        private final Instant latestTime;
        private final List<Violation> violations = new ArrayList<>();

        Reader(ObjectNode attributes, JsonNode data, Instant latestTime) {
            this.attributes = attributes;
            this.data = data;
            this.latestTime = latestTime;
        }

        CallEvent read() {
            String specVersion = requiredText(attributes, "specversion", "specversion");
            if (specVersion != null && !SPEC_VERSION.equals(specVersion)) {
                invalid("specversion", "must be \"1.0\", got \"" + specVersion + "\"");
            }
            CallEventType type = readType();
            String id = requiredText(attributes, "id", "id");
            String source = requiredText(attributes, "source", "source");
            String subject = requiredText(attributes, "subject", "subject");
            Instant time = readTime();
            Long sequence = readSequence();
            String contentType = optionalText(attributes, "datacontenttype", "datacontenttype");
            if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
                invalid("datacontenttype", "must be JSON (application/json), got \"" + contentType + "\"");
            }
            if (attributes.has("data_base64")) {
                invalid("data_base64", "is not supported; send data as JSON");
            }
            CallEventData eventData = type == null ? null : readData(type, time);
            if (!violations.isEmpty()) {
                violations.sort((a, b) -> Integer.compare(a.reason().ordinal(), b.reason().ordinal()));
                throw new InvalidEventException(violations);
            }
            return new CallEvent(id, source, type, subject, time, sequence, eventData);
        }

        private CallEventType readType() {
            String type = requiredText(attributes, "type", "type");
            if (type == null) {
                return null;
            }
            Optional<CallEventType> known = CallEventType.fromWireName(type);
            if (known.isEmpty()) {
                violations.add(new Violation("type", RejectReason.UNKNOWN_TYPE, "unknown event type \"" + type + "\""));
            }
            return known.orElse(null);
        }

        private Instant readTime() {
            String time = requiredText(attributes, "time", "time");
            if (time == null) {
                return null;
            }
            Instant instant;
            try {
                instant = IsoInstants.parseOffsetDateTime(time);
            } catch (DateTimeParseException e) {
                invalid("time", "must be an RFC 3339 timestamp such as 2026-01-31T09:30:00Z, got \"" + time + "\"");
                return null;
            }
            if (instant.isBefore(Instant.EPOCH)) {
                invalid("time", instant + " is before 1970; expected when the provider saw the change");
                return null;
            }
            // The clock only moves on: a replay may take an event once refused as ahead, never refuse one taken.
            if (instant.isAfter(latestTime)) {
                invalid("time", instant + " is more than a day ahead of the bridge's clock; check the producer's clock");
                return null;
            }
            return instant;
        }

        private Long readSequence() {
            JsonNode node = attributes.get("sequence");
            if (node == null || node.isNull()) {
                return null;
            }
            Long value = null;
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                value = node.asLong();
            } else if (node.isTextual() && node.asText().matches("\\d{1,18}")) {
                value = Long.parseLong(node.asText());
            }
            if (value == null || value < 0) {
                invalid("sequence", "must be a non-negative integer, got " + node);
                return null;
            }
            return value;
        }

        private CallEventData readData(CallEventType type, Instant time) {
            boolean dataRequired = type != CallEventType.ENDED;
            if (data == null || data.isNull()) {
                if (dataRequired) {
                    missing("data", "is required for " + type.wireName());
                }
                return dataRequired ? null : new CallEventData.Ended(null, null);
            }
            if (!data.isObject()) {
                invalid("data", "must be a JSON object, got " + describe(data));
                return null;
            }
            return switch (type) {
                case STARTED -> readStarted(time);
                case PARTICIPANT_JOINED -> new CallEventData.Joined(requiredParticipant());
                case PARTICIPANT_LEFT -> new CallEventData.Left(requiredParticipant());
                case UPDATED -> readUpdated();
                case ENDED -> new CallEventData.Ended(
                        readDuration(),
                        optionalText(data, "disconnect_reason", "data.disconnect_reason"));
                case ANALYZED -> readAnalyzed();
            };
        }

        private CallEventData.Started readStarted(Instant time) {
            String joinUrl = requiredText(data, "join_url", "data.join_url");
            if (joinUrl != null) {
                checkWebUrl(joinUrl, "data.join_url");
            }
            String desktopUrl = optionalText(data, "desktop_app_join_url", "data.desktop_app_join_url");
            if (desktopUrl != null) {
                checkUrl(desktopUrl, "data.desktop_app_join_url");
            }
            List<Participant> participants = new ArrayList<>();
            JsonNode list = data.get("participants");
            if (list != null && !list.isNull()) {
                if (!list.isArray()) {
                    invalid("data.participants", "must be an array, got " + describe(list));
                } else {
                    for (int i = 0; i < list.size(); i++) {
                        Participant p = participant(list.get(i), "data.participants[" + i + "]");
                        if (p != null) {
                            participants.add(p);
                        }
                    }
                }
            }
            return new CallEventData.Started(
                    joinUrl,
                    desktopUrl,
                    optionalText(data, "external_display_id", "data.external_display_id"),
                    optionalText(data, "title", "data.title"),
                    optionalText(data, "created_by", "data.created_by"),
                    readDateStart(time),
                    optionalText(data, "channel", "data.channel"),
                    optionalText(data, "team_id", "data.team_id"),
                    participants);
        }

        private CallEventData.Updated readUpdated() {
            String title = optionalText(data, "title", "data.title");
            String joinUrl = optionalText(data, "join_url", "data.join_url");
            String desktopUrl = optionalText(data, "desktop_app_join_url", "data.desktop_app_join_url");
            if (joinUrl != null) {
                checkWebUrl(joinUrl, "data.join_url");
            }
            if (desktopUrl != null) {
                checkUrl(desktopUrl, "data.desktop_app_join_url");
            }
            // A field of the wrong type counts as given: it is already reported as invalid.
            if (!given(data, "title") && !given(data, "join_url") && !given(data, "desktop_app_join_url")) {
                missing("data", "call.updated needs at least one of title, join_url, desktop_app_join_url");
            }
            return new CallEventData.Updated(title, joinUrl, desktopUrl);
        }

        private CallEventData.Analyzed readAnalyzed() {
            String recordingUrl = optionalText(data, "recording_url", "data.recording_url");
            String transcriptUrl = optionalText(data, "transcript_url", "data.transcript_url");
            if (recordingUrl != null) {
                checkWebUrl(recordingUrl, "data.recording_url");
            }
            if (transcriptUrl != null) {
                checkWebUrl(transcriptUrl, "data.transcript_url");
            }
            if (!given(data, "summary") && !given(data, "sentiment") && !given(data, "recording_url")
                    && !given(data, "transcript_url")) {
                missing("data", "call.analyzed needs at least one of summary, sentiment, recording_url, transcript_url");
            }
            return new CallEventData.Analyzed(
                    optionalText(data, "summary", "data.summary"),
                    optionalText(data, "sentiment", "data.sentiment"),
                    recordingUrl,
                    transcriptUrl);
        }

        /** Unix seconds that Slack takes as a call's start, and no later than the event reporting it. */
        private Long readDateStart(Instant time) {
            Long seconds = optionalNonNegativeLong(data, "date_start", "data.date_start");
            if (seconds == null) {
                return null;
            }
            if (seconds > MAX_SLACK_SECONDS) {
                // Milliseconds of any date from 2001 to 2038 have 13 digits: far above every second Slack takes.
                boolean milliseconds = seconds >= 1_000_000_000_000L && seconds / 1000 <= MAX_SLACK_SECONDS;
                invalid("data.date_start", milliseconds
                        ? seconds + " looks like milliseconds; expected Unix seconds"
                        : seconds + " is after " + Instant.ofEpochSecond(MAX_SLACK_SECONDS)
                                + ", the latest start Slack's calls.add takes (32-bit Unix seconds)");
                return null;
            }
            if (time != null && seconds > time.plus(MAX_START_AFTER_TIME).getEpochSecond()) {
                invalid("data.date_start", seconds + " (" + Instant.ofEpochSecond(seconds)
                        + ") is more than an hour after the event's time " + time
                        + "; a call cannot start after the event that reports its start");
                return null;
            }
            return seconds;
        }

        private Long readDuration() {
            Long seconds = optionalNonNegativeLong(data, "duration", "data.duration");
            if (seconds != null && seconds > MAX_SLACK_SECONDS) {
                invalid("data.duration", seconds + " seconds is more than Slack's calls.end takes, at most "
                        + MAX_SLACK_SECONDS);
                return null;
            }
            return seconds;
        }

        /** Whether a field holds anything other than null or blank text, the two ways of leaving it out. */
        private static boolean given(JsonNode object, String name) {
            JsonNode node = object.get(name);
            return node != null && !node.isNull() && !(node.isTextual() && node.asText().isBlank());
        }

        private Participant requiredParticipant() {
            JsonNode node = data.get("participant");
            if (node == null || node.isNull()) {
                missing("data.participant", "is required");
                return null;
            }
            return participant(node, "data.participant");
        }

        private Participant participant(JsonNode node, String path) {
            if (!node.isObject()) {
                invalid(path, "must be an object with slack_id, or external_id and display_name; got " + describe(node));
                return null;
            }
            String slackId = optionalText(node, "slack_id", path + ".slack_id");
            String externalId = optionalText(node, "external_id", path + ".external_id");
            String displayName = optionalText(node, "display_name", path + ".display_name");
            String avatarUrl = optionalText(node, "avatar_url", path + ".avatar_url");
            if (slackId != null) {
                return new Participant(slackId, null, null, null);
            }
            if (externalId == null) {
                missing(path, "needs slack_id, or external_id with display_name");
                return null;
            }
            if (displayName == null) {
                missing(path + ".display_name", "is required with external_id");
                return null;
            }
            return new Participant(null, externalId, displayName, avatarUrl);
        }

        private String requiredText(JsonNode object, String name, String path) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                missing(path, "is required");
                return null;
            }
            if (!node.isTextual()) {
                invalid(path, "must be a string, got " + describe(node));
                return null;
            }
            if (node.asText().isBlank()) {
                missing(path, "must not be empty");
                return null;
            }
            return node.asText();
        }

        private String optionalText(JsonNode object, String name, String path) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual()) {
                invalid(path, "must be a string, got " + describe(node));
                return null;
            }
            return node.asText().isBlank() ? null : node.asText();
        }

        private Long optionalNonNegativeLong(JsonNode object, String name, String path) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                invalid(path, "must be an integer, got " + describe(node));
                return null;
            }
            if (node.asLong() < 0) {
                invalid(path, "must not be negative, got " + node.asLong());
                return null;
            }
            return node.asLong();
        }

        private void checkUrl(String value, String path) {
            try {
                URI uri = new URI(value);
                if (!uri.isAbsolute()) {
                    invalid(path, "must be an absolute URL, got \"" + value + "\"");
                }
            } catch (URISyntaxException e) {
                invalid(path, "is not a valid URL: " + e.getReason());
            }
        }

        /**
         * A link anyone can open in a browser: http or https, naming a host. Slack links join_url for
         * anyone's browser; an app's own scheme belongs in desktop_app_join_url.
         */
        private void checkWebUrl(String value, String path) {
            try {
                URI uri = new URI(value);
                String scheme = uri.getScheme();
                if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                    invalid(path, "must be an http or https URL, got \"" + value + "\"");
                } else if (uri.getRawAuthority() == null) {
                    invalid(path, "must name a host, got \"" + value + "\"");
                }
            } catch (URISyntaxException e) {
                invalid(path, "is not a valid URL: " + e.getReason());
            }
        }

        private void missing(String field, String message) {
            violations.add(new Violation(field, RejectReason.MISSING_FIELD, message));
        }

        private void invalid(String field, String message) {
            violations.add(new Violation(field, RejectReason.INVALID_FIELD, message));
        }
    }

    /** Reads Kafka-style header bytes as UTF-8 text, the way binary-mode CloudEvents carry attributes. */
    public static String headerText(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
