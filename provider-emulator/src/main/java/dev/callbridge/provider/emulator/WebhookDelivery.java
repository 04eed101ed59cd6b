package dev.callbridge.provider.emulator;

import java.util.ArrayList;
import java.util.List;

/**
 * One webhook (or Twilio status callback) the platform sent, with every attempt and its answer.
 *
 * @param id in the order raised; never reused
 * @param flavour {@link Flavour#VOICE_AI} for the platform's webhooks, {@link Flavour#TWILIO} for status callbacks
 * @param event {@code call_started}, {@code call_ended}, {@code call_analyzed}; or Twilio's {@code CallStatus}
 * @param eventId the webhook's {@code event_id}, the same on every attempt and duplicate; for a status
 *     callback its {@code CallSid}, status and {@code SequenceNumber}
 * @param callId the platform's call id
 * @param duplicateOf the delivery this one repeats ({@link Faults#duplicateWebhooks()}); {@code null} if none
 */
public record WebhookDelivery(
        long id,
        Flavour flavour,
        String event,
        String eventId,
        String callId,
        String url,
        Status status,
        List<Attempt> attempts,
        Long duplicateOf) {

    public WebhookDelivery {
        attempts = List.copyOf(attempts);
    }

    /** Where a delivery stands. */
    public enum Status {
        /** An attempt is under way or a retry is due. */
        PENDING,
        /** Answered with a 2xx. */
        DELIVERED,
        /** Every attempt failed. */
        FAILED
    }

    /**
     * One attempt: when it was sent and what came back.
     *
     * @param httpStatus the answer's status; {@code null} when there was none
     * @param error {@code http_error}, {@code timeout} or {@code connection_failed}; {@code null} for a 2xx
     */
    public record Attempt(String sentAt, Integer httpStatus, String error) {}

    WebhookDelivery with(Status newStatus, Attempt attempt) {
        List<Attempt> all = new ArrayList<>(attempts);
        all.add(attempt);
        return new WebhookDelivery(id, flavour, event, eventId, callId, url, newStatus, all, duplicateOf);
    }
}
