package dev.callbridge.slackapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import dev.callbridge.provider.ProviderApiConfig;
import dev.callbridge.provider.ProviderClient;
import dev.callbridge.provider.ProviderClient.CallStatus;
import dev.callbridge.provider.ProviderClient.CallStatus.Kind;
import dev.callbridge.provider.ProviderClient.EndAnswer;
import dev.callbridge.slackapp.EndCallButton.Click;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The End call button's decisions: who may end a call, one end request per call, and what the user is told. */
class EndCallButtonTest {

    private static final String CALL = "0b6c7f1e-4a8e-4c55-9d6e-1f2a3b4c5d6e";
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    private static final List<LayoutBlock> BUTTON_BLOCKS = List.of(SectionBlock.builder()
            .text(MarkdownTextObject.builder().text("End this call from Slack").build()).build());

    /** The platform as scripted: its answer to the end request, then what each status request says. */
    private static final class ScriptedProvider implements ProviderClient {

        final List<String> ends = new CopyOnWriteArrayList<>();
        EndAnswer endAnswer = EndAnswer.ENDED;
        Kind statusKind = Kind.ENDED;

        @Override
        public EndAnswer end(String callId, String reason) {
            ends.add(callId + " / " + reason);
            return endAnswer;
        }

        @Override
        public CallStatus status(String callId) {
            return CallStatus.of(statusKind);
        }
    }

    /** What the button said, in order. */
    private static final class RecordedReplies implements EndCallButton.Replies {

        final List<String> said = new CopyOnWriteArrayList<>();

        @Override
        public void ephemeral(String text) {
            said.add("ephemeral: " + text);
        }

        @Override
        public void updateMessage(String channel, String ts, String text, List<LayoutBlock> blocks) {
            said.add("update " + channel + " " + ts + ": " + text);
        }
    }

    /** Runs what the button hands it when the test says so. */
    private static final class HeldExecutor implements Executor {

        final List<Runnable> held = new ArrayList<>();

        @Override
        public void execute(Runnable command) {
            held.add(command);
        }

        void runAll() {
            List<Runnable> now = List.copyOf(held);
            held.clear();
            now.forEach(Runnable::run);
        }
    }

    private final ScriptedProvider provider = new ScriptedProvider();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private EndCallButton button(Set<String> users, Set<String> channels, Executor executor) {
        EndCallConfig config = new EndCallConfig(new ProviderApiConfig("http://provider.test", "key", Duration.ofSeconds(1)),
                users, channels, TIMEOUT);
        return new EndCallButton(config, new CallEnder(provider, TIMEOUT, Duration.ofMillis(20), Clock.systemUTC()),
                executor, registry);
    }

    private static Click click(String user, String channel) {
        return new Click(CALL, user, channel, "1700000000.000100", "End this call from Slack", BUTTON_BLOCKS);
    }

    private double count(String outcome) {
        Counter counter = registry.find("bridge.endcall.clicks").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aListedUserEndsTheCallWithTheirNameAsTheReason() {
        RecordedReplies replies = new RecordedReplies();

        button(Set.of("U0ADA"), Set.of(), Runnable::run).handle(click("U0ADA", "C0CALLS"), replies);

        assertThat(provider.ends).containsExactly(CALL + " / Ended from Slack by <@U0ADA>");
        assertThat(replies.said).containsExactly(
                "update C0CALLS 1700000000.000100: Ending… requested by <@U0ADA>",
                "ephemeral: Ending the call…",
                "ephemeral: The call has ended.");
        assertThat(count("confirmed")).isEqualTo(1);
    }

    @Test
    void anyoneInAListedChannelMayEndCallsAndNobodyElse() {
        EndCallButton button = button(Set.of(), Set.of("C0OPS"), Runnable::run);
        RecordedReplies refused = new RecordedReplies();

        button.handle(click("U0EVE", "C0CALLS"), refused);
        assertThat(provider.ends).isEmpty();
        assertThat(refused.said).singleElement().asString().startsWith("ephemeral: You are not allowed to end calls");
        assertThat(count("refused")).isEqualTo(1);

        button.handle(click("U0EVE", "C0OPS"), new RecordedReplies());
        assertThat(provider.ends).hasSize(1);
    }

    @Test
    void withNoUsersAndNoChannelsNobodyMayEndCalls() {
        RecordedReplies replies = new RecordedReplies();

        button(Set.of(), Set.of(), Runnable::run).handle(click("U0ADA", "C0CALLS"), replies);

        assertThat(provider.ends).isEmpty();
        assertThat(count("refused")).isEqualTo(1);
    }

    @Test
    void aSecondClickWhileTheFirstIsUnderWayOrAfterItEndedTheCallAsksThePlatformNothing() {
        HeldExecutor executor = new HeldExecutor();
        EndCallButton button = button(Set.of("U0ADA", "U0BOB"), Set.of(), executor);
        RecordedReplies first = new RecordedReplies();
        RecordedReplies second = new RecordedReplies();
        RecordedReplies third = new RecordedReplies();

        button.handle(click("U0ADA", "C0CALLS"), first);
        button.handle(click("U0BOB", "C0CALLS"), second);
        executor.runAll();
        button.handle(click("U0ADA", "C0CALLS"), third);
        executor.runAll();

        assertThat(provider.ends).hasSize(1);
        assertThat(second.said).containsExactly("ephemeral: This call is already being ended.");
        assertThat(third.said).containsExactly("ephemeral: This call is already being ended.");
        assertThat(count("duplicate")).isEqualTo(2);
    }

    @Test
    void aPlatformThatSaysNothingAndKeepsTheCallLiveIsNotConfirmedAndTheButtonComesBack() {
        provider.endAnswer = EndAnswer.NOTHING_SAID;
        provider.statusKind = Kind.IN_PROGRESS;
        EndCallButton button = button(Set.of("U0ADA"), Set.of(), Runnable::run);
        RecordedReplies replies = new RecordedReplies();

        long started = System.nanoTime();
        button.handle(click("U0ADA", "C0CALLS"), replies);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(TIMEOUT);
        assertThat(replies.said).containsExactly(
                "update C0CALLS 1700000000.000100: Ending… requested by <@U0ADA>",
                "ephemeral: Ending the call…",
                "update C0CALLS 1700000000.000100: End this call from Slack",
                "ephemeral: " + EndCallOutcome.NOT_CONFIRMED.message(TIMEOUT));
        assertThat(count("not_confirmed")).isEqualTo(1);

        button.handle(click("U0ADA", "C0CALLS"), new RecordedReplies());
        assertThat(provider.ends).as("a click after a call that did not end tries again").hasSize(2);
    }

    @Test
    void eachWayThePlatformCanFailIsToldAsIs() {
        record Case(EndAnswer answer, Kind status, EndCallOutcome outcome) {}
        for (Case c : List.of(
                new Case(EndAnswer.UNREACHABLE, Kind.ENDED, EndCallOutcome.UNREACHABLE),
                new Case(EndAnswer.REFUSED, Kind.ENDED, EndCallOutcome.FAILED),
                new Case(EndAnswer.NOTHING_SAID, Kind.NOT_FOUND, EndCallOutcome.UNKNOWN_CALL),
                new Case(EndAnswer.NOTHING_SAID, Kind.ENDED, EndCallOutcome.ALREADY_ENDED),
                new Case(EndAnswer.ENDED, Kind.UNREACHABLE, EndCallOutcome.NOT_CONFIRMED))) {
            provider.endAnswer = c.answer();
            provider.statusKind = c.status();
            RecordedReplies replies = new RecordedReplies();

            button(Set.of("U0ADA"), Set.of(), Runnable::run).handle(click("U0ADA", "C0CALLS"), replies);

            assertThat(replies.said).as(c.toString()).last().isEqualTo("ephemeral: " + c.outcome().message(TIMEOUT));
            assertThat(count(c.outcome().tag())).as(c.toString()).isEqualTo(1);
        }
    }

    @Test
    void whenAllItsThreadsAreTakenTheButtonSaysSoAndLetsTheCallBeTriedAgain() {
        AtomicBoolean full = new AtomicBoolean(true);
        Executor executor = command -> {
            if (full.get()) {
                throw new RejectedExecutionException("full");
            }
            command.run();
        };
        EndCallButton button = button(Set.of("U0ADA"), Set.of(), executor);
        RecordedReplies replies = new RecordedReplies();

        button.handle(click("U0ADA", "C0CALLS"), replies);

        assertThat(replies.said).containsExactly("ephemeral: " + EndCallOutcome.BUSY.message(TIMEOUT));
        assertThat(count("busy")).isEqualTo(1);
        assertThat(provider.ends).isEmpty();
        full.set(false);
        button.handle(click("U0ADA", "C0CALLS"), new RecordedReplies());
        assertThat(provider.ends).hasSize(1);
    }
}
