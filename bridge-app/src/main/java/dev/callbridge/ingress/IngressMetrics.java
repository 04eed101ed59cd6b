package dev.callbridge.ingress;

import dev.callbridge.model.event.CallEventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The ingress's meters (see {@code docs/metrics.md}): webhooks by endpoint and outcome, events
 * written by endpoint and type, and the time to acknowledge a webhook. Tags carry endpoint names,
 * outcomes and event types only; never a secret, a signature or a call id.
 */
final class IngressMetrics {

    private final MeterRegistry registry;

    IngressMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * One webhook answered.
     *
     * @param outcome {@code accepted}, {@code ignored}, {@code unauthorized}, {@code invalid},
     *     {@code too_large}, {@code unsupported_media_type}, {@code method_not_allowed},
     *     {@code kafka_unavailable}, {@code busy} or {@code failed}
     */
    void answered(String endpoint, String outcome) {
        Counter.builder("bridge.ingress.requests").description("webhooks answered, by endpoint and outcome")
                .tag("endpoint", endpoint).tag("outcome", outcome).register(registry).increment();
    }

    /** A webhook answered 2xx once Kafka acknowledged its events, {@code took} after it arrived. */
    void acknowledged(String endpoint, Duration took) {
        Timer.builder("bridge.ingress.acknowledged")
                .description("from a webhook's arrival to its 200, sent once Kafka acknowledged its events")
                .tag("endpoint", endpoint)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(took);
    }

    void written(String endpoint, CallEventType type) {
        Counter.builder("bridge.ingress.events").description("call events written to the input topic, by endpoint and type")
                .tag("endpoint", endpoint).tag("type", type.wireName()).register(registry).increment();
    }
}
