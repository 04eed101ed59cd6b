package dev.callbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callbridge.emulator.ApiMethod;
import dev.callbridge.emulator.CallSnapshot;
import dev.callbridge.emulator.CallUser;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.EmulatorStats;
import dev.callbridge.emulator.Interaction;
import dev.callbridge.emulator.MessageThread;
import dev.callbridge.emulator.ResponseMessage;
import dev.callbridge.testkit.DemoWorkspace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Assertions on what the Slack emulator holds and was asked, in the terms of expected calls. */
final class SlackExpectations {

    static final Duration CONVERGENCE_TIMEOUT = Duration.ofSeconds(90);
    static final Duration POLL = Duration.ofMillis(200);

    private final EmulatorClient slack;

    SlackExpectations(EmulatorClient slack) {
        this.slack = slack;
    }

    /**
     * Waits until the Slack call the bridge works on for each expected call (the newest one with its
     * {@code external_unique_id}; older ones are duplicates left behind) matches it.
     *
     * @return the emulator's calls at that moment, grouped by {@code external_unique_id}
     */
    Map<String, List<CallSnapshot>> awaitConverged(List<ExpectedCall> expected) {
        Map<String, List<CallSnapshot>> calls = await().atMost(CONVERGENCE_TIMEOUT).pollInterval(POLL)
                .until(this::callsByExternalId, byId -> expected.stream().allMatch(e -> matches(e, byId.get(e.externalId()))));
        for (ExpectedCall call : expected) {
            CallSnapshot mirrored = newest(calls.get(call.externalId()));
            assertThat(slackIds(mirrored)).as("people on %s", call.externalId()).isEqualTo(call.slackUsers());
            assertThat(mirrored.title()).as("title of %s", call.externalId()).isEqualTo(call.title());
            assertThat(mirrored.ended()).as("%s ended", call.externalId()).isEqualTo(call.ended());
            assertThat(mirrored.channels()).as("channels showing %s", call.externalId())
                    .contains(DemoWorkspace.CHANNEL);
        }
        return calls;
    }

    /** The thread of the call block that shows the Slack call of {@code externalId}, once the block is posted. */
    Optional<MessageThread> thread(String externalId) {
        List<CallSnapshot> calls = slack.callsWithExternalId(externalId);
        return slack.messages().stream()
                .filter(message -> !message.isReply() && !message.callIds().isEmpty())
                .filter(message -> calls.stream().anyMatch(call -> message.callIds().contains(call.id())))
                .findFirst()
                .flatMap(block -> slack.thread(DemoWorkspace.CHANNEL, block.ts()));
    }

    /**
     * Waits until the app has told the user who made {@code interaction} at least {@code count} things
     * through its response URL, each to that user alone, and answers them in order.
     */
    List<String> awaitAnswers(Interaction interaction, int count) {
        return await().atMost(CONVERGENCE_TIMEOUT).pollInterval(POLL).until(() -> slack.responses().stream()
                .filter(response -> response.interactionId() == interaction.id())
                .peek(response -> assertThat(response.ephemeral()).as("answered to the user alone: %s", response).isTrue())
                .map(ResponseMessage::text).toList(), answers -> answers.size() >= count);
    }

    /** Exactly one Slack call per expected call, no repeated {@code calls.add}, one call block each. */
    void assertExactlyOnce(List<ExpectedCall> expected) {
        Map<String, List<CallSnapshot>> calls = callsByExternalId();
        for (ExpectedCall call : expected) {
            assertThat(calls.get(call.externalId())).as("Slack calls for %s", call.externalId()).hasSize(1);
            assertThat(newest(calls.get(call.externalId())).channels()).as("call blocks for %s", call.externalId())
                    .containsExactly(DemoWorkspace.CHANNEL);
        }
        EmulatorStats stats = slack.stats();
        assertThat(stats.duplicateCallsAdd()).as("duplicate calls.add").isZero();
        // Counted by answers that took effect: a 429 or an injected 5xx reaches the method without doing anything.
        assertThat(stats.of(ApiMethod.CALLS_ADD).ok()).as("calls.add applied").isEqualTo(expected.size());
        assertThat(stats.of(ApiMethod.CALLS_END).ok()).as("calls.end applied").isEqualTo(expected.size());
        assertThat(stats.of(ApiMethod.CHAT_POST_MESSAGE).ok()).as("call blocks posted").isEqualTo(expected.size());
    }

    /** No request of any method was refused with an error code (429s and injected faults aside). */
    void assertNoSlackErrors() {
        slack.stats().methods().forEach((method, counts) ->
                assertThat(counts.errors()).as("error codes answered to %s", method).isEmpty());
    }

    /**
     * Every error code Slack answered is one the bridge reads as done when an operation repeats after
     * a lost answer: {@code inactive_call} for a second {@code calls.end}, {@code bad_users} for a
     * participant change already made.
     */
    void assertOnlyRepeatErrors() {
        slack.stats().methods().forEach((method, counts) ->
                assertThat(counts.errors().keySet()).as("error codes answered to %s", method)
                        .isSubsetOf(Set.of("inactive_call", "bad_users")));
    }

    Map<String, List<CallSnapshot>> callsByExternalId() {
        return slack.calls().stream().collect(Collectors.groupingBy(CallSnapshot::externalUniqueId));
    }

    long totalRequests() {
        return slack.stats().methods().values().stream().mapToLong(c -> c.requests()).sum();
    }

    private static boolean matches(ExpectedCall expected, List<CallSnapshot> calls) {
        if (calls == null || calls.isEmpty()) {
            return false;
        }
        CallSnapshot mirrored = newest(calls);
        return mirrored.ended() == expected.ended()
                && Objects.equals(mirrored.title(), expected.title())
                && slackIds(mirrored).equals(expected.slackUsers())
                && mirrored.channels().contains(DemoWorkspace.CHANNEL);
    }

    /** The emulator lists calls oldest first; a repeated calls.add makes the newest the one the bridge knows. */
    private static CallSnapshot newest(List<CallSnapshot> calls) {
        return calls.get(calls.size() - 1);
    }

    private static Set<String> slackIds(CallSnapshot call) {
        return call.users().stream().map(CallUser::slackId).filter(Objects::nonNull).collect(Collectors.toSet());
    }
}
