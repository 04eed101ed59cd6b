package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.CREATOR;
import static dev.callbridge.emulator.SlackSdk.OTHER_TEAM_TOKEN;
import static dev.callbridge.emulator.SlackSdk.TEAM;
import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static dev.callbridge.emulator.SlackSdk.USER_OF_USER_TOKEN;
import static dev.callbridge.emulator.SlackSdk.USER_TOKEN;
import static dev.callbridge.emulator.SlackSdk.addCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.calls.CallsAddResponse;
import com.slack.api.methods.response.calls.CallsInfoResponse;
import com.slack.api.model.CallParticipant;
import java.time.Instant;
import java.util.List;
import okhttp3.FormBody;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Calls methods, driven through the official Slack SDK: what they do and the errors they give. */
class CallsMethodsTest {

    private static final CallParticipant ALICE = CallParticipant.builder().slackId("U0ALICE").build();
    private static final CallParticipant BOB = CallParticipant.builder().slackId("U0BOB").build();
    private static final CallParticipant GUEST = CallParticipant.builder()
            .externalId("+15550100").displayName("Caller +1 555 0100").avatarUrl("https://pbx.example/a.png").build();

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass();

    private MethodsClient methods;

    @BeforeEach
    void resetEmulator() {
        methods = EMULATOR.slack().methods(TOKEN);
    }

    @Test
    void addAnswersWithTheCallInSlacksShape() throws Exception {
        CallsAddResponse response = methods.callsAdd(r -> r
                .externalUniqueId("pbx-1")
                .joinUrl("https://pbx.example/join/1")
                .desktopAppJoinUrl("pbx://join/1")
                .externalDisplayId("705-292-868")
                .title("Support line")
                .createdBy(CREATOR)
                .dateStart(1_700_000_000)
                .users(List.of(ALICE, GUEST)));

        assertThat(response.isOk()).isTrue();
        assertThat(response.getCall().getId()).matches("R[0-9A-Z]{10}");
        assertThat(response.getCall().getDateStart()).isEqualTo(1_700_000_000);
        assertThat(response.getCall().getExternalUniqueId()).isEqualTo("pbx-1");
        assertThat(response.getCall().getJoinUrl()).isEqualTo("https://pbx.example/join/1");
        assertThat(response.getCall().getDesktopAppJoinUrl()).isEqualTo("pbx://join/1");
        assertThat(response.getCall().getExternalDisplayId()).isEqualTo("705-292-868");
        assertThat(response.getCall().getTitle()).isEqualTo("Support line");
        assertThat(response.getCall().getUsers()).containsExactly(ALICE, GUEST);
        assertThat(response.getCall().getDateEnd()).isNull();
    }

    @Test
    void addWithoutDateStartStartsTheCallNow() throws Exception {
        long before = Instant.now().getEpochSecond();

        CallsAddResponse response = methods.callsAdd(r -> r
                .externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1").createdBy(CREATOR));

        assertThat((long) response.getCall().getDateStart()).isBetween(before, Instant.now().getEpochSecond());
    }

    @Test
    void infoShowsTheEndOnceTheCallHasEnded() throws Exception {
        String id = methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy(CREATOR).dateStart(1_700_000_000)).getCall().getId();
        assertThat(methods.callsInfo(r -> r.id(id)).getCall().getDateEnd()).isNull();

        assertThat(methods.callsEnd(r -> r.id(id).duration(95)).isOk()).isTrue();

        CallsInfoResponse info = methods.callsInfo(r -> r.id(id));
        assertThat(info.isOk()).isTrue();
        assertThat(info.getCall().getDateEnd()).isEqualTo(1_700_000_095);
        assertThat(EMULATOR.emulator().client().call(id)).hasValueSatisfying(call -> {
            assertThat(call.ended()).isTrue();
            assertThat(call.duration()).isEqualTo(95L);
        });
    }

    @Test
    void endWithoutDurationEndsTheCallNow() throws Exception {
        long start = Instant.now().getEpochSecond() - 60;
        String id = methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy(CREATOR).dateStart((int) start)).getCall().getId();

        methods.callsEnd(r -> r.id(id));

        assertThat((long) methods.callsInfo(r -> r.id(id)).getCall().getDateEnd())
                .isBetween(start + 60, Instant.now().getEpochSecond());
    }

    @Test
    void updateChangesTitleAndJoinLinks() throws Exception {
        String id = addCall(methods, "pbx-1");

        var response = methods.callsUpdate(r -> r.id(id).title("Escalated").joinUrl("https://pbx.example/join/1b")
                .desktopAppJoinUrl("pbx://join/1b"));

        assertThat(response.isOk()).isTrue();
        assertThat(response.getCall().getTitle()).isEqualTo("Escalated");
        assertThat(methods.callsInfo(r -> r.id(id)).getCall())
                .satisfies(call -> assertThat(call.getJoinUrl()).isEqualTo("https://pbx.example/join/1b"))
                .satisfies(call -> assertThat(call.getDesktopAppJoinUrl()).isEqualTo("pbx://join/1b"));
    }

    @Test
    void participantsAddAndRemoveKeepThePeopleOnTheCallCurrent() throws Exception {
        String id = methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy(CREATOR).users(List.of(ALICE))).getCall().getId();

        assertThat(methods.callsParticipantsAdd(r -> r.id(id).users(List.of(BOB, GUEST))).isOk()).isTrue();
        assertThat(methods.callsParticipantsRemove(r -> r.id(id).users(List.of(ALICE))).isOk()).isTrue();

        assertThat(methods.callsInfo(r -> r.id(id)).getCall().getUsers()).containsExactly(BOB, GUEST);
    }

    @Test
    void aSecondAddWithTheSameExternalIdGetsANewCallAndIsCountedAsADuplicate() throws Exception {
        String first = addCall(methods, "pbx-1");

        String second = addCall(methods, "pbx-1");

        assertThat(second).isNotEqualTo(first);
        assertThat(EMULATOR.emulator().client().callsWithExternalId("pbx-1"))
                .extracting(CallSnapshot::id, CallSnapshot::duplicateOf)
                .containsExactly(tuple(first, null),
                        tuple(second, first));
        assertThat(EMULATOR.emulator().client().stats().duplicateCallsAdd()).isEqualTo(1);
    }

    @Test
    void theSameExternalIdInAnotherWorkspaceIsNoDuplicate() throws Exception {
        addCall(methods, "pbx-1");

        addCall(EMULATOR.slack().methods(OTHER_TEAM_TOKEN), "pbx-1");

        assertThat(EMULATOR.emulator().client().stats().duplicateCallsAdd()).isZero();
    }

    @Test
    void addWithoutJoinUrlOrExternalIdIsInvalidArguments() throws Exception {
        assertThat(methods.callsAdd(r -> r.externalUniqueId("pbx-1").createdBy(CREATOR)).getError())
                .isEqualTo("invalid_arguments");
        assertThat(methods.callsAdd(r -> r.joinUrl("https://pbx.example/join/1").createdBy(CREATOR)).getError())
                .isEqualTo("invalid_arguments");
        assertThat(EMULATOR.emulator().client().calls()).isEmpty();
    }

    @Test
    void methodsOnACallWithoutAnIdAreInvalidArguments() throws Exception {
        assertThat(methods.callsInfo(r -> r).getError()).isEqualTo("invalid_arguments");
        assertThat(methods.callsUpdate(r -> r.title("x")).getError()).isEqualTo("invalid_arguments");
        assertThat(methods.callsEnd(r -> r).getError()).isEqualTo("invalid_arguments");
        assertThat(methods.callsParticipantsAdd(r -> r.users(List.of(ALICE))).getError())
                .isEqualTo("invalid_arguments");
        assertThat(methods.callsParticipantsRemove(r -> r.users(List.of(ALICE))).getError())
                .isEqualTo("invalid_arguments");
    }

    @Test
    void anUnknownCallIdIsInvalidCallId() throws Exception {
        assertThat(methods.callsInfo(r -> r.id("R0NOSUCHCALL")).getError()).isEqualTo("invalid_call_id");
        assertThat(methods.callsEnd(r -> r.id("R0NOSUCHCALL")).getError()).isEqualTo("invalid_call_id");
        assertThat(methods.callsUpdate(r -> r.id("R0NOSUCHCALL").title("x")).getError()).isEqualTo("invalid_call_id");
        assertThat(methods.callsParticipantsAdd(r -> r.id("R0NOSUCHCALL").users(List.of(ALICE))).getError())
                .isEqualTo("invalid_call_id");
    }

    @Test
    void aCallOfAnotherWorkspaceIsInvalidCallId() throws Exception {
        String id = addCall(EMULATOR.slack().methods(OTHER_TEAM_TOKEN), "pbx-1");

        assertThat(methods.callsInfo(r -> r.id(id)).getError()).isEqualTo("invalid_call_id");
        assertThat(methods.callsEnd(r -> r.id(id)).getError()).isEqualTo("invalid_call_id");
        assertThat(EMULATOR.emulator().client().call(id)).hasValueSatisfying(call -> assertThat(call.ended()).isFalse());
    }

    @Test
    void anEndedCallCannotBeEndedOrChangedButStillAnswersInfo() throws Exception {
        String id = methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy(CREATOR).users(List.of(ALICE))).getCall().getId();
        methods.callsEnd(r -> r.id(id).duration(30));

        assertThat(methods.callsEnd(r -> r.id(id).duration(40)).getError()).isEqualTo("inactive_call");
        assertThat(methods.callsUpdate(r -> r.id(id).title("late")).getError()).isEqualTo("inactive_call");
        assertThat(methods.callsParticipantsAdd(r -> r.id(id).users(List.of(BOB))).getError())
                .isEqualTo("inactive_call");
        assertThat(methods.callsParticipantsRemove(r -> r.id(id).users(List.of(ALICE))).getError())
                .isEqualTo("inactive_call");
        assertThat(methods.callsInfo(r -> r.id(id)).isOk()).isTrue();
        assertThat(EMULATOR.emulator().client().call(id)).hasValueSatisfying(call -> {
            assertThat(call.duration()).isEqualTo(30L);
            assertThat(call.title()).isNull();
            assertThat(call.users()).containsExactly(CallUser.slackUser("U0ALICE"));
        });
    }

    @Test
    void addingSomeoneAlreadyOnTheCallIsBadUsersAndAddsNobody() throws Exception {
        String id = methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy(CREATOR).users(List.of(ALICE))).getCall().getId();

        assertThat(methods.callsParticipantsAdd(r -> r.id(id).users(List.of(BOB, ALICE))).getError())
                .isEqualTo("bad_users");

        assertThat(methods.callsInfo(r -> r.id(id)).getCall().getUsers()).containsExactly(ALICE);
    }

    @Test
    void removingSomeoneNotOnTheCallIsBadUsersAndRemovesNobody() throws Exception {
        String id = methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy(CREATOR).users(List.of(ALICE))).getCall().getId();

        assertThat(methods.callsParticipantsRemove(r -> r.id(id).users(List.of(ALICE, BOB))).getError())
                .isEqualTo("bad_users");

        assertThat(methods.callsInfo(r -> r.id(id)).getCall().getUsers()).containsExactly(ALICE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"slack_id\":\"U0BOB\"}", "[]", "[{\"display_name\":\"nobody\"}]",
        "[\"U0BOB\"]", "[{\"slack_id\":\"U0BOB\"},{\"slack_id\":\"U0BOB\"}]", "[{\"slack_id\":42}]"})
    void aMalformedUsersListIsBadUsers(String users) throws Exception {
        String id = addCall(methods, "pbx-1");

        String body = postForm("calls.participants.add", new FormBody.Builder().add("id", id).add("users", users));

        assertThat(body).isEqualTo("{\"ok\":false,\"error\":\"bad_users\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"UNKNOWN42", "U0GONE", "alice"})
    void aSlackUserTheWorkspaceDoesNotKnowIsUserNotFound(String slackId) throws Exception {
        SlackEmulator withGoneUser = SlackSdk.emulatorBuilder()
                .directory(Directory.defaults().withUnknownUsers("U0GONE")).build().start();
        try {
            MethodsClient client = SlackSdk.slack(withGoneUser).methods(TOKEN);
            CallParticipant unknown = CallParticipant.builder().slackId(slackId).build();

            assertThat(client.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                    .createdBy(CREATOR).users(List.of(ALICE, unknown))).getError()).isEqualTo("user_not_found");
            String id = addCall(client, "pbx-2");
            assertThat(client.callsParticipantsAdd(r -> r.id(id).users(List.of(unknown))).getError())
                    .isEqualTo("user_not_found");
            assertThat(client.callsParticipantsRemove(r -> r.id(id).users(List.of(unknown))).getError())
                    .isEqualTo("user_not_found");
        } finally {
            withGoneUser.stop();
        }
    }

    @Test
    void aBotTokenMustNameWhoCreatedTheCall() throws Exception {
        assertThat(methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")).getError())
                .isEqualTo("invalid_arguments");
        assertThat(methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy("UNKNOWN1")).getError()).isEqualTo("invalid_created_by");
    }

    @Test
    void aUserTokenCreatesTheCallAsItsUser() throws Exception {
        String id = EMULATOR.slack().methods(USER_TOKEN).callsAdd(r -> r.externalUniqueId("pbx-1")
                .joinUrl("https://pbx.example/join/1")).getCall().getId();

        assertThat(EMULATOR.emulator().client().call(id)).hasValueSatisfying(call -> {
            assertThat(call.createdBy()).isEqualTo(USER_OF_USER_TOKEN);
            assertThat(call.teamId()).isEqualTo(TEAM);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, Integer.MAX_VALUE})
    void aStartInThePastBeforeTheEpochOrFarAheadIsInvalidStartTime(int dateStart) throws Exception {
        assertThat(methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .createdBy(CREATOR).dateStart(dateStart)).getError()).isEqualTo("invalid_start_time");
    }

    @Test
    void aNegativeDurationIsInvalidArguments() throws Exception {
        String id = addCall(methods, "pbx-1");

        assertThat(methods.callsEnd(r -> r.id(id).duration(-5)).getError()).isEqualTo("invalid_arguments");
    }

    /** Sends a form the SDK's typed requests cannot express, through the SDK's own HTTP EMULATOR.emulator().client(). */
    private static String postForm(String method, FormBody.Builder form) throws Exception {
        String url = EMULATOR.emulator().baseUrl() + method;
        try (var response = EMULATOR.slack().getHttpClient().postFormWithBearerHeader(url, TOKEN, form.build())) {
            return response.body().string();
        }
    }
}
