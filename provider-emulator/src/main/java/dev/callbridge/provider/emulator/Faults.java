package dev.callbridge.provider.emulator;

/**
 * Misbehaviour to inject into the emulated platform.
 *
 * @param endIgnored {@code POST /calls/end} answers 200 with an empty body and ends nothing, as the
 *     platform does on any failure
 * @param webhookDelayMillis how long each webhook and status callback attempt waits before it is sent
 * @param duplicateWebhooks each webhook and status callback is delivered twice, with the same event
 */
public record Faults(boolean endIgnored, long webhookDelayMillis, boolean duplicateWebhooks) {

    public Faults {
        if (webhookDelayMillis < 0) {
            throw new IllegalArgumentException("webhook_delay_millis cannot be negative, was " + webhookDelayMillis);
        }
    }

    public static Faults none() {
        return new Faults(false, 0, false);
    }

    public Faults withEndIgnored(boolean ignored) {
        return new Faults(ignored, webhookDelayMillis, duplicateWebhooks);
    }

    public Faults withWebhookDelayMillis(long delayMillis) {
        return new Faults(endIgnored, delayMillis, duplicateWebhooks);
    }

    public Faults withDuplicateWebhooks(boolean duplicate) {
        return new Faults(endIgnored, webhookDelayMillis, duplicate);
    }
}
