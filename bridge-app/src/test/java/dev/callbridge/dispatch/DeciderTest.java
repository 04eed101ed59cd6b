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

class DeciderTest {

    private static final RetryPolicy POLICY = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), 4, 10);
    private final Decider decider = new Decider(POLICY, () -> 0.5, Duration.ofSeconds(5), Duration.ofSeconds(10));

    private static final CallOp ADD = new CallOp.AddCall("c1:1:calls.add", "c1", "T1", "https://j/1", null, null,
            "Title", null, 1_700_000_000L, List.of());
    private static final CallOp END = new CallOp.EndCall("c1:5:calls.end", "c1", "T1", "R1", 60L, "call ended");
    private static final CallOp JOIN = new CallOp.AddParticipants("c1:3:calls.participants.add", "c1", "T1", "R1",
            List.of(Participant.slackUser("U1")));

    @Test
    void anOkAnswerIsDoneWithSlacksCallId() {
        Disposition d = decider.decide(ADD, Attempts.FIRST, new SlackAnswer.Ok("R42", null, null));
        assertThat(d).isInstanceOfSatisfying(Disposition.Done.class, done -> assertThat(done.result())
                .isInstanceOfSatisfying(OpResult.Succeeded.class, ok -> {
                    assertThat(ok.slackCallId()).isEqualTo("R42");
                    assertThat(ok.opId()).isEqualTo(ADD.opId());
                    assertThat(ok.note()).isNull();
                }));
    }

    @Test
    void inactiveCallOnEndIsDoneWithANote() {
        Disposition d = decider.decide(END, Attempts.FIRST, new SlackAnswer.Error("inactive_call"));
        assertThat(d).isInstanceOfSatisfying(Disposition.Done.class, done -> assertThat(done.result())
                .isInstanceOfSatisfying(OpResult.Succeeded.class, ok -> assertThat(ok.note()).isEqualTo("inactive_call")));
    }

    @Test
    void inactiveCallOnAnyMethodIsDoneWithANoteAndNoDeadLetter() {
        CallOp post = new CallOp.PostCallBlock("c1:2:chat.postMessage", "c1", "T1", "R1", "C1", "Call");
        for (CallOp op : List.of(JOIN, post, new CallOp.UpdateCall("c1:4:calls.update", "c1", "T1", "R1", "t", "u", null),
                new CallOp.RemoveParticipants("c1:4:calls.participants.remove", "c1", "T1", "R1",
                        List.of(Participant.slackUser("U1"))))) {
            assertThat(decider.decide(op, Attempts.FIRST, new SlackAnswer.Error("inactive_call")))
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
        assertThat(decider.decide(inspect, Attempts.FIRST, new SlackAnswer.Info(found)))
                .isInstanceOfSatisfying(Disposition.Done.class, done -> assertThat(done.result())
                        .isInstanceOfSatisfying(OpResult.Inspected.class, seen -> {
                            assertThat(seen.opId()).isEqualTo(inspect.opId());
                            assertThat(seen.participants()).containsExactly(Participant.slackUser("U1"));
                            assertThat(seen.ended()).isFalse();
                        }));
    }

    @Test
    void badUsersOnParticipantsAddIsDone() {
        assertThat(decider.decide(JOIN, Attempts.FIRST, new SlackAnswer.Error("bad_users")))
                .isInstanceOf(Disposition.Done.class);
    }

    @Test
    void a429IsRetriedAfterRetryAfterAndReportedAsRateLimited() {
        Disposition d = decider.decide(ADD, new Attempts(2, 1), new SlackAnswer.RateLimited(Duration.ofSeconds(30)));
        assertThat(d).isInstanceOfSatisfying(Disposition.Retry.class, retry -> {
            assertThat(retry.delay()).isEqualTo(Duration.ofSeconds(30));
            assertThat(retry.next()).isEqualTo(new Attempts(3, 2));
            assertThat(retry.interim()).isInstanceOf(OpResult.RateLimited.class);
        });
    }

    @Test
    void transientFailuresBackOffExponentiallyWithJitter() {
        Disposition first = decider.decide(ADD, Attempts.FIRST, new SlackAnswer.HttpStatus(503));
        Disposition third = decider.decide(ADD, new Attempts(3, 0), new SlackAnswer.Error("internal_error"));
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
        assertThat(decider.decide(END, Attempts.FIRST, new SlackAnswer.NoAnswer("SocketTimeoutException: timeout")))
                .isInstanceOf(Disposition.Retry.class);
    }

    @Test
    void transientFailuresOutlastingTheAttemptsAreDeadLetteredAsExhausted() {
        Disposition d = decider.decide(ADD, new Attempts(4, 0), new SlackAnswer.Error("service_unavailable"));
        assertThat(d).isInstanceOfSatisfying(Disposition.DeadLetter.class, dead -> {
            assertThat(dead.reason()).isEqualTo("retries_exhausted");
            assertThat(dead.result().retriesExhausted()).isTrue();
            assertThat(dead.result().error()).isEqualTo("service_unavailable");
        });
    }

    @Test
    void rateLimitsDoNotUseUpTheTransientAttempts() {
        Disposition d = decider.decide(ADD, new Attempts(8, 6), new SlackAnswer.Error("internal_error"));
        assertThat(d).isInstanceOf(Disposition.Retry.class);
    }

    @Test
    void endlessRateLimitsAreDeadLetteredInTheEnd() {
        Disposition d = decider.decide(ADD, new Attempts(12, 9), new SlackAnswer.RateLimited(Duration.ofSeconds(1)));
        assertThat(d).isInstanceOf(Disposition.DeadLetter.class);
    }

    @Test
    void terminalErrorsAreDeadLetteredAtOnceWithSlacksCode() {
        Disposition d = decider.decide(ADD, Attempts.FIRST, new SlackAnswer.Error("invalid_auth"));
        assertThat(d).isInstanceOfSatisfying(Disposition.DeadLetter.class, dead -> {
            assertThat(dead.reason()).isEqualTo("invalid_auth");
            assertThat(dead.result().error()).isEqualTo("invalid_auth");
            assertThat(dead.result().retriesExhausted()).isFalse();
        });
    }

    @Test
    void anOperationForAWorkspaceWithoutATokenIsDeadLetteredAtOnceNamingTheWorkspace() {
        Disposition d = decider.decide(ADD, Attempts.FIRST, new SlackAnswer.Error("no_token_configured"));
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
        assertThat(decider.decide(ADD, Attempts.FIRST, new SlackAnswer.HttpStatus(404)))
                .isInstanceOfSatisfying(Disposition.DeadLetter.class,
                        dead -> assertThat(dead.reason()).isEqualTo("http_404"));
    }

    // ---- turns

    private static final java.time.Instant NOW = java.time.Instant.parse("2026-01-01T12:00:00Z");
    private static final CallOp.PostCallBlock POST = new CallOp.PostCallBlock("c1:2:chat.postMessage", "c1", "T1", "R1",
            "C1", "Call");
    private final RateLimiter limiter = new RateLimiter(java.util.Map.of(), new Budget(60, 1));

    private static Work work(CallOp op, boolean uncertain, boolean announced, boolean checked) {
        org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record =
                new org.apache.kafka.clients.consumer.ConsumerRecord<>("slack.call-ops", 0, 7L, new byte[0], new byte[0]);
        return new Work(record, new org.apache.kafka.common.TopicPartition("slack.call-ops", 0),
                new Lease(new RateLimiter(java.util.Map.of(), new Budget(60, 1))), op,
                Attempts.FIRST, null, false, null, uncertain, announced, checked);
    }

    @Test
    void anOperationWhoseRepeatWouldShowIsAnnouncedBeforeItGoesHoldingItsSlot() {
        for (CallOp op : List.of(ADD, POST)) {
            Decider.Step step = decider.next(work(op, false, false, false), NOW, limiter);
            assertThat(step).as(op.method().apiName()).isInstanceOfSatisfying(Decider.Announce.class, announce -> {
                assertThat(announce.reserved()).isTrue();
                assertThat(announce.due()).isEqualTo(NOW);
            });
        }
        assertThat(decider.next(work(JOIN, false, false, false), NOW, limiter)).isEqualTo(new Decider.Send(null));
        assertThat(decider.next(work(END, false, false, false), NOW, limiter)).isEqualTo(new Decider.Send(null));
    }

    @Test
    void anAnnouncedOperationComingBackWithItsSlotTakesNoSecondSlot() {
        Decider.Announce announce = (Decider.Announce) decider.next(work(ADD, false, false, false), NOW, limiter);
        Work back = work(ADD, false, false, false).at(announce.due(), announce.reserved()).announcedNow();

        assertThat(decider.next(back, NOW.plusMillis(30), limiter)).isEqualTo(new Decider.Send(null));
        assertThat(limiter.reserve("T1", ADD.method(), NOW.plusMillis(30)))
                .as("the next slot is the second of the minute: only one was taken").isEqualTo(NOW.plusSeconds(1));
    }

    @Test
    void anUncertainCallBlockIsCheckedBeforeItIsPostedAndACertainOneIsNot() {
        assertThat(decider.next(work(POST, true, true, false), NOW, limiter))
                .isInstanceOfSatisfying(Decider.Check.class, check -> {
                    assertThat(((CallOp.InspectCall) check.request()).slackCallId()).isEqualTo("R1");
                    assertThat(((CallOp.InspectCall) check.request()).teamId()).isEqualTo("T1");
                });
        assertThat(decider.next(work(POST, true, true, true), NOW.plusSeconds(1), limiter)).isEqualTo(new Decider.Send(null));
        assertThat(decider.next(work(POST, false, true, false), NOW.plusSeconds(2), limiter)).isEqualTo(new Decider.Send(null));
    }

    @Test
    void anUncertainCallsAddIsSentWithAWarningThatNamesTheCall() {
        assertThat(decider.next(work(ADD, true, true, false), NOW, limiter))
                .isInstanceOfSatisfying(Decider.Send.class, send -> assertThat(send.warning()).contains("c1")
                        .contains("second call"));
    }

    @Test
    void aCallBlockSlackAlreadyShowsIsDoneWithoutAPost() {
        SlackCallInfo.Found shown = new SlackCallInfo.Found("R1", "c1", false, List.of(), "Title", null, null,
                List.of("C1"));
        assertThat(decider.checked(POST, Attempts.FIRST, new SlackAnswer.Info(shown)))
                .isInstanceOfSatisfying(Disposition.Done.class, done -> {
                    assertThat(done.outcome()).isEqualTo(Decider.ALREADY_POSTED);
                    assertThat(done.result()).isInstanceOfSatisfying(OpResult.Succeeded.class,
                            ok -> assertThat(ok.note()).isEqualTo(Decider.ALREADY_POSTED));
                });
        SlackCallInfo.Found notShown = new SlackCallInfo.Found("R1", "c1", false, List.of(), "Title", null, null, List.of());
        assertThat(decider.checked(POST, Attempts.FIRST, new SlackAnswer.Info(notShown)))
                .isInstanceOf(Disposition.Proceed.class);
    }

    @Test
    void aCheckThatCannotBeMadeForGoodLetsThePostGoAndOneThatFailsForNowStaysUncertain() {
        assertThat(decider.checked(POST, Attempts.FIRST, new SlackAnswer.Error("missing_scope")))
                .isInstanceOfSatisfying(Disposition.Proceed.class, go -> assertThat(go.log()).contains("missing_scope"));
        assertThat(decider.checked(POST, Attempts.FIRST, new SlackAnswer.RateLimited(Duration.ofSeconds(3))))
                .isInstanceOfSatisfying(Disposition.Retry.class, retry -> {
                    assertThat(retry.uncertain()).isTrue();
                    assertThat(retry.delay()).isEqualTo(Duration.ofSeconds(3));
                });
    }

    @Test
    void noAnswerOrAServerErrorLeavesTheOutcomeUncertainAndA429OrAnErrorCodeDoesNot() {
        assertThat(((Disposition.Retry) decider.decide(POST, Attempts.FIRST, new SlackAnswer.NoAnswer("timeout"))).uncertain())
                .isTrue();
        assertThat(((Disposition.Retry) decider.decide(POST, Attempts.FIRST, new SlackAnswer.HttpStatus(503))).uncertain())
                .isTrue();
        assertThat(((Disposition.Retry) decider.decide(POST, Attempts.FIRST,
                new SlackAnswer.RateLimited(Duration.ofSeconds(1)))).uncertain()).isFalse();
        assertThat(((Disposition.Retry) decider.decide(POST, Attempts.FIRST, new SlackAnswer.Error("internal_error")))
                .uncertain()).isFalse();
    }

    @Test
    void aLongWaitForBudgetParksTheOperationWithItsSlot() {
        RateLimiter slow = new RateLimiter(java.util.Map.of(), new Budget(1, 1));
        slow.reserve("T1", JOIN.method(), NOW);
        assertThat(decider.next(work(JOIN, false, false, false), NOW, slow))
                .isInstanceOfSatisfying(Decider.Park.class, park -> {
                    assertThat(park.due()).isEqualTo(NOW.plusSeconds(60));
                    assertThat(park.reserved()).isTrue();
                    assertThat(park.report()).as("no timeout known: reported").isTrue();
                });
        assertThat(decider.next(work(JOIN, false, false, false), NOW, limiter)).isEqualTo(new Decider.Send(null));
    }

    @Test
    void theCheckIsPacedAsCallsInfoAndThePostAfterItTakesASlotOfItsOwn() {
        RateLimiter paced = new RateLimiter(java.util.Map.of(dev.callbridge.model.op.SlackMethod.CALLS_INFO,
                new Budget(1, 1)), new Budget(60, 1));
        paced.reserve("T1", dev.callbridge.model.op.SlackMethod.CALLS_INFO, NOW);

        assertThat(decider.next(work(POST, true, true, false), NOW, paced))
                .as("calls.info has no slot for a minute; the post's bucket is not what the check spends")
                .isInstanceOfSatisfying(Decider.Park.class, park -> assertThat(park.due()).isEqualTo(NOW.plusSeconds(60)));
        assertThat(decider.next(work(POST, true, true, true), NOW, paced)).isEqualTo(new Decider.Send(null));
    }

    @Test
    void aCheckThatRanOutOfRetriesStillLetsThePostGo() {
        Attempts last = new Attempts(POLICY.maxAttempts(), 0);
        assertThat(decider.checked(POST, last, new SlackAnswer.HttpStatus(503))).isInstanceOf(Disposition.Proceed.class);
    }

    private static final CallOp.PostAnalysis REPLY = new CallOp.PostAnalysis("c1:7:chat.postMessage", "c1", "T1", "C1",
            "1700000000.000100", "Summary", null, null, null, false);

    @Test
    void aThreadReplyThatMayBeUpIsLookedForInItsThreadFirstAndACertainOneIsAnnounced() {
        CallOp.PostAnalysis lookFirst = new CallOp.PostAnalysis(REPLY.opId(), "c1", "T1", "C1", REPLY.threadTs(),
                "Summary", null, null, null, true);

        List<Work> mayBeUp = List.of(work(REPLY, true, false, false), work(lookFirst, false, false, false));
        for (int i = 0; i < mayBeUp.size(); i++) {
            assertThat(decider.next(mayBeUp.get(i), NOW.plusSeconds(i), limiter)).isInstanceOfSatisfying(Decider.Check.class,
                    check -> assertThat(check.request()).isEqualTo(new CallOp.FindReply(REPLY.opId(), "c1", "T1", "C1",
                            "1700000000.000100", dev.callbridge.model.op.ThreadReply.ANALYSIS)));
        }
        assertThat(work(REPLY, false, false, false).repeatShows()).isTrue();
        assertThat(decider.next(work(REPLY, false, false, false), NOW.plusSeconds(2), limiter))
                .isInstanceOf(Decider.Announce.class);
        assertThat(decider.next(work(lookFirst, false, true, true), NOW.plusSeconds(3), limiter))
                .isEqualTo(new Decider.Send(null));
    }

    @Test
    void aReplyFoundInTheThreadIsDoneWithItsTsAndOneNotFoundIsPosted() {
        assertThat(decider.checked(REPLY, Attempts.FIRST, new SlackAnswer.ThreadRead("1700000000.000200")))
                .isInstanceOfSatisfying(Disposition.Done.class, done -> {
                    assertThat(done.outcome()).isEqualTo(Decider.ALREADY_POSTED);
                    assertThat(done.log()).contains("analysis of call c1").contains("1700000000.000200");
                    assertThat(done.result()).isEqualTo(new OpResult.Succeeded(REPLY.opId(), "c1", REPLY.method(), 1,
                            null, "1700000000.000200", "C1", Decider.ALREADY_POSTED));
                });
        assertThat(decider.checked(REPLY, Attempts.FIRST, new SlackAnswer.ThreadRead(null)))
                .isInstanceOfSatisfying(Disposition.Proceed.class, go -> assertThat(go.outcome()).isEqualTo("not_posted"));
        assertThat(decider.checked(REPLY, Attempts.FIRST, new SlackAnswer.Error("missing_scope")))
                .isInstanceOfSatisfying(Disposition.Proceed.class, go -> {
                    assertThat(go.outcome()).isEqualTo("check_refused");
                    assertThat(go.log()).contains("conversations.replies").contains("missing_scope");
                });
        assertThat(decider.checked(REPLY, Attempts.FIRST, new SlackAnswer.NoAnswer("timeout")))
                .isInstanceOfSatisfying(Disposition.Retry.class, retry -> assertThat(retry.uncertain()).isTrue());
    }

    @Test
    void theLookIsPacedAsConversationsReplies() {
        RateLimiter paced = new RateLimiter(java.util.Map.of(dev.callbridge.model.op.SlackMethod.CONVERSATIONS_REPLIES,
                new Budget(1, 1)), new Budget(60, 1));
        paced.reserve("T1", dev.callbridge.model.op.SlackMethod.CONVERSATIONS_REPLIES, NOW);

        assertThat(decider.next(work(REPLY, true, false, false), NOW, paced))
                .isInstanceOfSatisfying(Decider.Park.class, park -> assertThat(park.due()).isEqualTo(NOW.plusSeconds(60)));
    }

    @Test
    void theControlsUpdateIsSentAgainWithoutALookItShowsTheSameWhateverCameBefore() {
        CallOp update = new CallOp.ShowCallEnded("c1:8:chat.update", "c1", "T1", "C1", "1700000000.000300", "done");

        assertThat(decider.next(work(update, true, false, false), NOW, limiter)).isEqualTo(new Decider.Send(null));
        assertThat(decider.decide(update, Attempts.FIRST, new SlackAnswer.Error("message_not_found")))
                .isInstanceOfSatisfying(Disposition.DeadLetter.class,
                        dead -> assertThat(dead.reason()).isEqualTo("message_not_found"));
    }
}
