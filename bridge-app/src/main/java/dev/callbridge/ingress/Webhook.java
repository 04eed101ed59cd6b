package dev.callbridge.ingress;

/** One kind of webhook: where it is served, and how its requests are checked and turned into call events. */
interface Webhook {

    /** The path it is served on. */
    String path();

    /** Its name in metrics and logs, such as {@code twilio_conference}. */
    String name();

    /** The largest body read; a larger one is answered 413 unread. */
    int maxBodyBytes();

    Intake read(WebhookRequest request);
}
