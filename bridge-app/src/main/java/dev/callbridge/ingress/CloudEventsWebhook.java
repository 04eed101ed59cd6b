package dev.callbridge.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.event.CloudEventCodec;
import dev.callbridge.model.event.InvalidEventException;
import dev.callbridge.model.event.RejectReason;
import dev.callbridge.model.event.Violation;
import dev.callbridge.model.json.WireJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Call events sent as CloudEvents over HTTP (the CloudEvents HTTP protocol binding): one event in
 * structured mode ({@code application/cloudevents+json}), one in binary mode ({@code ce-*} headers
 * and the data as the body), or a batch ({@code application/cloudevents-batch+json}). A batch is
 * taken whole or not at all: one invalid event refuses it with every violation named by its index.
 */
final class CloudEventsWebhook implements Webhook {

    static final String PATH = "/events";
    static final String BATCH_MEDIA_TYPE = "application/cloudevents-batch+json";
    private static final String STRUCTURED_MEDIA_TYPE = "application/cloudevents";
    private static final String BINARY_HEADER_PREFIX = "ce-";
    /** A refused batch names this many violations at most, so the answer stays small. */
    private static final int MAX_VIOLATIONS_NAMED = 50;
    private static final ObjectMapper JSON = WireJson.mapper();

    private final InputRecords records;
    private final int maxEventBytes;
    private final int maxBatchBytes;
    private final byte[] expectedAuthorization;

    /** @param token the bearer token clients must send, or {@code null} to take events from anyone who reaches the port */
    CloudEventsWebhook(InputRecords records, int maxEventBytes, int maxBatchBytes, String token) {
        this.records = records;
        this.maxEventBytes = maxEventBytes;
        this.maxBatchBytes = maxBatchBytes;
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String path() {
        return PATH;
    }

    @Override
    public String name() {
        return "cloudevents";
    }

    @Override
    public int maxBodyBytes() {
        return Math.max(maxEventBytes, maxBatchBytes);
    }

    @Override
    public Intake read(WebhookRequest request) {
        if (expectedAuthorization != null) {
            String given = request.header("authorization");
            if (given == null || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
                return new Intake.Unauthorized("Authorization: Bearer with the ingress's CloudEvents token is required");
            }
        }
        String mediaType = request.mediaType();
        if (mediaType.equals(BATCH_MEDIA_TYPE)) {
            return batch(request.body());
        }
        if (request.body().length > maxEventBytes) {
            return new Intake.TooLarge(maxEventBytes);
        }
        if (mediaType.startsWith(STRUCTURED_MEDIA_TYPE)) {
            return single(request.body(), InputRecords.HEADERS);
        }
        if (request.header(BINARY_HEADER_PREFIX + "specversion") != null) {
            return single(request.body(), binaryAttributes(request));
        }
        return new Intake.UnsupportedMediaType("application/cloudevents+json, " + BATCH_MEDIA_TYPE
                + ", or an event in binary mode (ce-specversion and the other ce-* headers)");
    }

    private Intake single(byte[] body, Map<String, String> headers) {
        try {
            return records.checked(List.of(records.codec().decode(body, headers)), Map.of());
        } catch (InvalidEventException e) {
            return e.reason() == RejectReason.OVERSIZE ? new Intake.TooLarge(maxEventBytes) : new Intake.Invalid(e.violations());
        }
    }

    private Intake batch(byte[] body) {
        JsonNode batch;
        try {
            batch = JSON.readTree(body);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            return invalid("batch", RejectReason.UNPARSEABLE, "is not JSON: " + reason);
        }
        if (batch == null || !batch.isArray()) {
            return invalid("batch", RejectReason.UNPARSEABLE, "must be a JSON array of structured-mode CloudEvents");
        }
        List<InputRecord> events = new ArrayList<>(batch.size());
        List<Violation> violations = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            String at = "[" + i + "]";
            try {
                CallEvent event = records.codec().decode(JSON.writeValueAsBytes(batch.get(i)), InputRecords.HEADERS);
                Intake checked = records.checked(List.of(event), Map.of());
                if (checked instanceof Intake.Events written) {
                    events.addAll(written.records());
                } else if (checked instanceof Intake.Invalid rewritten) {
                    rewritten.violations().forEach(v -> violations.add(prefixed(at, v)));
                } else {
                    violations.add(new Violation(at, RejectReason.OVERSIZE, "is larger than " + maxEventBytes + " bytes"));
                }
            } catch (InvalidEventException e) {
                e.violations().forEach(v -> violations.add(prefixed(at, v)));
            } catch (JsonProcessingException e) {
                violations.add(new Violation(at, RejectReason.UNPARSEABLE, "cannot be written back as JSON"));
            }
        }
        if (!violations.isEmpty()) {
            return new Intake.Invalid(violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS_NAMED)));
        }
        return new Intake.Events(events);
    }

    private static Violation prefixed(String at, Violation violation) {
        return new Violation(at + "." + violation.field(), violation.reason(), violation.message());
    }

    private static Intake invalid(String field, RejectReason reason, String message) {
        return new Intake.Invalid(List.of(new Violation(field, reason, message)));
    }

    /** The {@code ce-*} headers as the codec's {@code ce_*} attributes, their percent-encoding undone. */
    private static Map<String, String> binaryAttributes(WebhookRequest request) {
        Map<String, String> attributes = new HashMap<>();
        request.headers().forEach((name, values) -> {
            if (name.startsWith(BINARY_HEADER_PREFIX) && !values.isEmpty()) {
                attributes.put(CloudEventCodec.BINARY_HEADER_PREFIX + name.substring(BINARY_HEADER_PREFIX.length()),
                        percentDecoded(values.get(0)));
            }
        });
        String contentType = request.header("content-type");
        if (contentType != null) {
            attributes.put(CloudEventCodec.CONTENT_TYPE_HEADER, contentType);
        }
        return attributes;
    }

    /**
     * A header value with its {@code %XX} escapes undone as UTF-8, as the HTTP binding writes
     * characters outside printable ASCII; a {@code %} that starts no escape stays as it is.
     */
    static String percentDecoded(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        int i = 0;
        while (i < value.length()) {
            int high = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
            int low = i + 2 < value.length() ? Character.digit(value.charAt(i + 2), 16) : -1;
            if (value.charAt(i) == '%' && high >= 0 && low >= 0) {
                bytes.write(high * 16 + low);
                i += 3;
            } else {
                int codePoint = value.codePointAt(i);
                bytes.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
