package dev.callbridge.ingress;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of {@code bridge ingress}, the webhook receiver that writes call events to
 * {@code telephony.call-events}; every key and default is in {@code docs/configuration.md}.
 *
 * @param topic the input topic, with the bridge's topic prefix
 * @param clientProperties the Kafka client settings passed through (bootstrap servers, security,
 *     {@code kafka.producer.*}); the ingress sets acknowledgement and idempotence over them
 * @param deliveryTimeout how long a webhook waits for Kafka to acknowledge its events before it is answered 503
 * @param maxEventBytes the largest body of one webhook or event, and of one event as written to Kafka
 * @param maxBatchBytes the largest body of a batch of CloudEvents
 * @param requestThreads webhooks served at once
 * @param requestQueue webhooks waiting for a thread; beyond that they are answered 503 at once
 * @param publicUrl where providers reach the ingress's root, as they sign it; {@code null} when no provider needs it
 * @param cloudEventsToken a bearer token the CloudEvents endpoint asks for; {@code null} for none
 * @param twilio Twilio's status callbacks, or {@code null} when they are off
 * @param voiceAi the voice-AI platform's webhooks, or {@code null} when they are off
 */
public record IngressConfig(
        int httpPort,
        String topic,
        Map<String, Object> clientProperties,
        Duration deliveryTimeout,
        int maxEventBytes,
        int maxBatchBytes,
        int requestThreads,
        int requestQueue,
        URI publicUrl,
        String cloudEventsToken,
        Provider twilio,
        Provider voiceAi) {

    /** What is replaced by the call's id in a join link template. */
    public static final String CALL_ID_PLACEHOLDER = "{call_id}";

    public IngressConfig {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
        clientProperties = Map.copyOf(clientProperties);
        if ((twilio != null || voiceAi != null) && publicUrl == null) {
            throw new IllegalArgumentException("a provider's webhooks need the ingress's public URL");
        }
    }

    /**
     * A provider whose webhooks the ingress takes.
     *
     * @param secret what signs its webhooks: Twilio's auth token, the voice-AI platform's webhook secret
     * @param joinUrlTemplate the join link of its calls in Slack, {@value #CALL_ID_PLACEHOLDER} standing for the call's id
     */
    public record Provider(String secret, String joinUrlTemplate) {

        public Provider {
            Objects.requireNonNull(secret, "secret");
            Objects.requireNonNull(joinUrlTemplate, "joinUrlTemplate");
        }

        @Override
        public String toString() {
            return "Provider[joinUrlTemplate=" + joinUrlTemplate + "]";
        }
    }

    @Override
    public String toString() {
        // Secrets never print; client settings may hold SASL passwords, so only their names do.
        return "IngressConfig[httpPort=" + httpPort + ", topic=" + topic + ", clientSettings="
                + clientProperties.keySet() + ", deliveryTimeout=" + deliveryTimeout + ", maxEventBytes=" + maxEventBytes
                + ", maxBatchBytes=" + maxBatchBytes + ", requestThreads=" + requestThreads + ", requestQueue="
                + requestQueue + ", publicUrl=" + publicUrl + ", cloudEventsToken=" + (cloudEventsToken == null ? "none" : "set")
                + ", twilio=" + twilio + ", voiceAi=" + voiceAi + "]";
    }
}
