package dev.callbridge.operator;

import dev.callbridge.model.op.SlackMethod;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.model.state.CallState;
import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.slack.SlackCallInfo;
import dev.callbridge.topics.Topics;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Compares one call in Slack ({@code calls.info}) with the bridge's view of it, and on request hands
 * Slack's answer to the reconciler as an {@link OpResult.Inspected} record, which repairs the drift
 * through the usual operations ({@code bridge reconcile}).
 */
public final class DriftCheck {

    /** What a look at one call found. */
    public sealed interface Finding {
        /** {@code slack.calls} has no view of the call. */
        record NoView() implements Finding {}

        /** The bridge never got the call into Slack. */
        record NotInSlack(CallState view) implements Finding {}

        /** Slack could not be asked, or does not know the call. */
        record SlackUnavailable(CallState view, String reason) implements Finding {}

        /** Slack's call beside the bridge's view. */
        record Compared(CallState view, SlackCallInfo.Found slack, Drift drift) implements Finding {}
    }

    private final Map<String, Object> clientProperties;
    private final Topics topics;
    private final SdkSlackClient slack;
    private final Clock clock;

    public DriftCheck(Map<String, Object> clientProperties, Topics topics, SdkSlackClient slack, Clock clock) {
        this.clientProperties = Map.copyOf(clientProperties);
        this.topics = topics;
        this.slack = slack;
        this.clock = clock;
    }

    public Finding inspect(String call) {
        Optional<CallState> view;
        try (CallViews views = new CallViews(clientProperties, topics.calls())) {
            view = views.latest(call);
        }
        if (view.isEmpty()) {
            return new Finding.NoView();
        }
        CallState state = view.get();
        if (!state.observed().added()) {
            return new Finding.NotInSlack(state);
        }
        String team = state.desired().start() == null ? null : state.desired().start().teamId();
        SlackCallInfo info = slack.callInfo(team, state.observed().slackCallId());
        if (info instanceof SlackCallInfo.Unavailable unavailable) {
            return new Finding.SlackUnavailable(state, unavailable.reason());
        }
        SlackCallInfo.Found found = (SlackCallInfo.Found) info;
        return new Finding.Compared(state, found, Drift.between(state, found));
    }

    /** Hands Slack's answer to the reconciler, which takes it as the observed call and plans the repair. */
    public void repair(Finding.Compared finding) {
        SlackCallInfo.Found found = finding.slack();
        String call = finding.view().externalUniqueId();
        OpResult.Inspected inspected = new OpResult.Inspected(call + ":inspect:" + clock.millis(), call,
                SlackMethod.CALLS_INFO, 1, found.slackCallId(), found.ended(), found.participants(), found.title(),
                found.joinUrl(), found.desktopAppJoinUrl(), found.channels());
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, OpResult> producer = new KafkaProducer<>(props,
                topics.callResults().keySerde().serializer(), topics.callResults().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.callResults().name(), call, inspected)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the inspection", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write the inspection to " + topics.callResults().name()
                    + ": " + e.getMessage(), e);
        }
    }
}
