package dev.callbridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.model.event.CallEvent;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.state.CallState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Generated histories fed to the reconciler in any order, with duplicates, while an in-memory Slack
 * answers its operations (sometimes with rate limits and transient failures first). Slack must end
 * up showing each call exactly as it happened, added once.
 */
class ReconcilerProperties {

    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    private static final ReconcilerSettings SETTINGS = BridgeConfig.defaults().reconciler();

    @Property(tries = 400)
    void slackConvergesWhenTheEndArrivesLast(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int calls) {
        Random random = new Random(seed);
        List<CallHistory> histories = histories(calls, random);
        SlackModel slack = new SlackModel();
        Simulation sim = new Simulation(SETTINGS, slack, random, 0.1, 0.05, NOW);

        run(sim, random, deliveryWithEndLast(histories, random));

        for (CallHistory history : histories) {
            assertThat(slack.adds(history.callId())).as("calls.add for %s", history.callId()).isEqualTo(1);
            SlackModel.Call shown = slack.callsFor(history.callId()).get(0);
            assertThat(shown.users.keySet()).as("participants of %s", history).isEqualTo(history.presentAtEnd());
            assertThat(shown.ended).isTrue();
            assertThat(shown.duration).isEqualTo(history.duration());
            assertThat(shown.title).isEqualTo(history.finalTitle());
            assertThat(shown.blockPosted).isEqualTo(history.hasChannel());
            assertThat(sim.state(history.callId()).phase()).isEqualTo(CallState.Phase.ENDED);
        }
        assertThat(slack.violations()).isEmpty();
    }

    @Property(tries = 400)
    void slackConvergesInAnyOrderToWhatWasKnownWhenTheEndWasSent(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int calls) {
        Random random = new Random(seed);
        List<CallHistory> histories = histories(calls, random);
        SlackModel slack = new SlackModel();
        Simulation sim = new Simulation(SETTINGS, slack, random, 0.1, 0.05, NOW);

        run(sim, random, anyDelivery(histories, random));

        for (CallHistory history : histories) {
            assertThat(slack.adds(history.callId())).isEqualTo(1);
            SlackModel.Call shown = slack.callsFor(history.callId()).get(0);
            assertThat(shown.ended).isTrue();
            assertThat(shown.duration).isEqualTo(history.duration());
            assertThat(shown.users.keySet()).as("participants of %s", history)
                    .isEqualTo(CallHistory.presence(sim.deliveredBeforeEnd(history.callId())));
        }
        assertThat(slack.violations()).isEmpty();
    }

    @Property(tries = 200)
    void neverMoreThanOneOperationInFlightAndAlwaysInSlacksOrder(@ForAll long seed) {
        Random random = new Random(seed);
        CallHistory history = CallHistory.generate("call-x", random);
        SlackModel slack = new SlackModel();
        Simulation sim = new Simulation(SETTINGS, slack, random, 0.2, 0.1, NOW);

        run(sim, random, anyDelivery(List.of(history), random));

        List<CallOp> sent = slack.requests();
        assertThat(sent.get(0)).isInstanceOf(CallOp.AddCall.class);
        assertThat(sent.get(sent.size() - 1)).isInstanceOf(CallOp.EndCall.class);
        assertThat(sent.stream().filter(op -> op instanceof CallOp.EndCall)).hasSize(1);
        // The simulation itself fails the run if a second operation is emitted while one is in flight.
    }

    @Example
    void aHistoryWithoutParticipantsStillConverges() {
        Random random = new Random(7);
        CallHistory history;
        do {
            history = CallHistory.generate("quiet", random);
        } while (!history.presentAtEnd().isEmpty());
        SlackModel slack = new SlackModel();
        Simulation sim = Simulation.reliable(SETTINGS, slack, NOW);
        run(sim, random, history.events());
        assertThat(slack.callsFor("quiet")).singleElement().satisfies(c -> assertThat(c.ended).isTrue());
    }

    private static List<CallHistory> histories(int calls, Random random) {
        return IntStream.range(0, calls).mapToObj(i -> CallHistory.generate("call-" + i, random)).toList();
    }

    /** All events shuffled across calls, some duplicated, with each call's end (and its copies) after its other events. */
    private static List<CallEvent> deliveryWithEndLast(List<CallHistory> histories, Random random) {
        List<CallEvent> others = new ArrayList<>();
        for (CallHistory history : histories) {
            others.addAll(history.events().subList(0, history.events().size() - 1));
        }
        List<CallEvent> delivery = withDuplicates(others, random);
        for (CallHistory history : histories) {
            int copies = 1 + random.nextInt(2);
            for (int i = 0; i < copies; i++) {
                delivery.add(history.end());
            }
        }
        return delivery;
    }

    private static List<CallEvent> anyDelivery(List<CallHistory> histories, Random random) {
        List<CallEvent> all = new ArrayList<>();
        histories.forEach(h -> all.addAll(h.events()));
        return withDuplicates(all, random);
    }

    private static List<CallEvent> withDuplicates(List<CallEvent> events, Random random) {
        List<CallEvent> delivery = new ArrayList<>(events);
        int duplicates = random.nextInt(events.size() + 1);
        for (int i = 0; i < duplicates; i++) {
            delivery.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(delivery, random);
        return delivery;
    }

    /** Interleaves deliveries with Slack's answers at random, then lets Slack catch up. */
    private static void run(Simulation sim, Random random, List<CallEvent> delivery) {
        int next = 0;
        while (next < delivery.size() || sim.hasPending()) {
            boolean deliver = next < delivery.size() && (!sim.hasPending() || random.nextInt(3) > 0);
            if (deliver) {
                sim.deliver(delivery.get(next++));
            } else {
                sim.answerOne();
            }
        }
    }
}
