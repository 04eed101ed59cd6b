package dev.callbridge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.model.event.Participant;
import dev.callbridge.model.op.CallOp;
import dev.callbridge.model.result.OpResult;
import dev.callbridge.slack.SlackAnswer;
import dev.callbridge.slack.SlackCallInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DispositionsTest {

    private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), 4, 10);
    private final Dispositions dispositions = new Dispositions(POLICY, () -> 0.5);

    private static final CallOp ADD = new CallOp.AddCall("c1:1:calls.add", "c1", "T1", "https://j/1", null, null,
            "Title", null, 1_700_000_000L, List.of());
    private static final CallOp END = new CallOp.EndCall("c1:5:calls.end", "c1", "T1", "R1", 60L, "call ended");
    private static final CallOp JOIN = new CallOp.AddParticipants("c1:3:calls.participants.add", "c1", "T1", "R1",
            List.of(Participant.slackUser("U1")));

    @Test
    void anOkAnswerIsDoneWithSlacksCallId() {
        Disposition d = dispositions.decide(ADD, Attempts.FIRST, new SlackAnswer.Ok("R42", null));
        assertThat(d).isInstanceOfSatisfying(Disposition.Done.class, done -> assertThat(done.result())
                .isInstanceOfSatisfying(OpResult.Succeeded.class, ok -> {
                    assertThat(ok.slackCallId()).isEqualTo("R42");
                    assertThat(ok.opId()).isEqualTo(ADD.opId());
                    assertThat(ok.note()).isNull();
                }));
    }

    @Test
    void inactiveCallOnEndIsDoneWithANote() {
        Disposition d = dispositions.decide(END, Attempts.FIRST, new SlackAnswer.Error("inactive_call"));
        assertThat(d).isInstanceOfSatisfying(Disposition.Done.class, done -> assertThat(done.result())
                .isInstanceOfSatisfying(OpResult.Succeeded.class, ok -> assertThat(ok.note()).isEqualTo("inactive_call")));
    }

    @Test
    void inactiveCallOnAnyMethodIsDoneWithANoteAndNoDeadLetter() {
        CallOp post = new CallOp.PostCallBlock("c1:2:chat.postMessage", "c1", "T1", "R1", "C1", "Call");
        for (CallOp op : List.of(JOIN, post, new CallOp.UpdateCall("c1:4:calls.update", "c1", "T1", "R1", "t", "u", null),
                new CallOp.RemoveParticipants("c1:4:calls.participants.remove", "c1", "T1", "R1",
                        List.of(Participant.slackUser("U1"))))) {
            assertThat(dispositions.decide(op, Attempts.FIRST, new SlackAnswer.Error("inactive_call")))
                    .as(op.method().apiName())
                    .isInstanceOfSatisfying(Disposition.Done.class, done -> assertThat(done.result())
                            .isInstanceOfSatisfying(OpResult.Succeeded.class,
                                    ok -> assertThat(ok.note()).isEqualTo("inactive_call")));
        }
    }

    @Test
    void callsInfoIsDoneWithWhatSlackShows() {
        CallOp inspect = new CallOp.InspectCall("c1:k:6:calls.info", "c1", "T1", "R1");
        SlackCallInfo.Found found = new SlackCallInfo.Found("R1", "c1", false, List.of(Participant.slackUser("U1")),
                "Standup", "https://pbx.example/j/1", null, List.of("C1"));
        assertThat(dispositions.decide(inspect, Attempts.FIRST, new SlackAnswer.Info(found)))
                .isInstanceOfSatisfying(Disposition.Done.class, done -> assertThat(done.result())
                        .isInstanceOfSatisfying(OpResult.Inspected.class, seen -> {
                            assertThat(seen.opId()).isEqualTo(inspect.opId());
                            assertThat(seen.participants()).containsExactly(Participant.slackUser("U1"));
                            assertThat(seen.ended()).isFalse();
                        }));
    }

    @Test
    void badUsersOnParticipantsAddIsDone() {
        assertThat(dispositions.decide(JOIN, Attempts.FIRST, new SlackAnswer.Error("bad_users")))
                .isInstanceOf(Disposition.Done.class);
    }

    @Test
    void a429IsRetriedAfterRetryAfterAndReportedAsRateLimited() {
        Disposition d = dispositions.decide(ADD, new Attempts(2, 1), new SlackAnswer.RateLimited(Duration.ofSeconds(30)));
        assertThat(d).isInstanceOfSatisfying(Disposition.Retry.class, retry -> {
            assertThat(retry.delay()).isEqualTo(Duration.ofSeconds(30));
            assertThat(retry.next()).isEqualTo(new Attempts(3, 2));
            assertThat(retry.interim()).isInstanceOf(OpResult.RateLimited.class);
        });
    }

    @Test
    void transientFailuresBackOffExponentiallyWithJitter() {
        Disposition first = dispositions.decide(ADD, Attempts.FIRST, new SlackAnswer.HttpStatus(503));
        Disposition third = dispositions.decide(ADD, new Attempts(3, 0), new SlackAnswer.Error("internal_error"));
        assertThat(first).isInstanceOfSatisfying(Disposition.Retry.class, retry -> {
            assertThat(retry.delay()).isEqualTo(Duration.ofMillis(750));
            assertThat(retry.interim()).isInstanceOfSatisfying(OpResult.Retrying.class,
                    r -> assertThat(r.error()).isEqualTo("http_503"));
        });
        assertThat(third).isInstanceOfSatisfying(Disposition.Retry.class,
                retry -> assertThat(retry.delay()).isEqualTo(Duration.ofMillis(3000)));
    }

    @Test
    void noAnswerIsTransient() {
        assertThat(dispositions.decide(END, Attempts.FIRST, new SlackAnswer.NoAnswer("SocketTimeoutException: timeout")))
                .isInstanceOf(Disposition.Retry.class);
    }

    @Test
    void transientFailuresOutlastingTheAttemptsAreDeadLetteredAsExhausted() {
        Disposition d = dispositions.decide(ADD, new Attempts(4, 0), new SlackAnswer.Error("service_unavailable"));
        assertThat(d).isInstanceOfSatisfying(Disposition.DeadLetter.class, dead -> {
            assertThat(dead.reason()).isEqualTo("retries_exhausted");
            assertThat(dead.result().retriesExhausted()).isTrue();
            assertThat(dead.result().error()).isEqualTo("service_unavailable");
        });
    }

    @Test
    void rateLimitsDoNotUseUpTheTransientAttempts() {
        Disposition d = dispositions.decide(ADD, new Attempts(8, 6), new SlackAnswer.Error("internal_error"));
        assertThat(d).isInstanceOf(Disposition.Retry.class);
    }

    @Test
    void endlessRateLimitsAreDeadLetteredInTheEnd() {
        Disposition d = dispositions.decide(ADD, new Attempts(12, 9), new SlackAnswer.RateLimited(Duration.ofSeconds(1)));
        assertThat(d).isInstanceOf(Disposition.DeadLetter.class);
    }

    @Test
    void terminalErrorsAreDeadLetteredAtOnceWithSlacksCode() {
        Disposition d = dispositions.decide(ADD, Attempts.FIRST, new SlackAnswer.Error("invalid_auth"));
        assertThat(d).isInstanceOfSatisfying(Disposition.DeadLetter.class, dead -> {
            assertThat(dead.reason()).isEqualTo("invalid_auth");
            assertThat(dead.result().error()).isEqualTo("invalid_auth");
            assertThat(dead.result().retriesExhausted()).isFalse();
        });
    }

    @Test
    void anOperationForAWorkspaceWithoutATokenIsDeadLetteredAtOnceNamingTheWorkspace() {
        Disposition d = dispositions.decide(ADD, Attempts.FIRST, new SlackAnswer.Error("no_token_configured"));
        assertThat(d).isInstanceOfSatisfying(Disposition.DeadLetter.class, dead -> {
            assertThat(dead.reason()).isEqualTo("no_token_configured");
            assertThat(dead.result().error()).isEqualTo("no_token_configured");
            assertThat(dead.result().retriesExhausted()).isFalse();
            assertThat(dead.detail()).as("never sent, so not Slack's refusal").contains("workspace T1")
                    .doesNotContain("Slack refused");
        });
    }

    @Test
    void aClientErrorStatusIsTerminal() {
        assertThat(dispositions.decide(ADD, Attempts.FIRST, new SlackAnswer.HttpStatus(404)))
                .isInstanceOfSatisfying(Disposition.DeadLetter.class,
                        dead -> assertThat(dead.reason()).isEqualTo("http_404"));
    }
}
