package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.CREATOR;
import static dev.callbridge.emulator.SlackSdk.OTHER_TEAM;
import static dev.callbridge.emulator.SlackSdk.OTHER_TEAM_TOKEN;
import static dev.callbridge.emulator.SlackSdk.TEAM;
import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static dev.callbridge.emulator.SlackSdk.addCall;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.model.CallParticipant;
import com.slack.api.model.block.CallBlock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The inspection and control API under {@code /_emulator/}, through {@link EmulatorClient}. */
class InspectionApiTest {

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass();

    private MethodsClient methods;

    @BeforeEach
    void resetEmulator() {
        methods = EMULATOR.slack().methods(TOKEN);
    }

    @Test
    void callsShowTheirWorkspacePeopleAndEnd() throws Exception {
        String id = methods.callsAdd(r -> r.externalUniqueId("pbx-1").joinUrl("https://pbx.example/join/1")
                .title("Support line").createdBy(CREATOR).dateStart(1_700_000_000)
                .users(List.of(CallParticipant.builder().slackId("U0ALICE").build()))).getCall().getId();
        methods.chatPostMessage(r -> r.channel("C0CALLS").text("call")
                .blocks(List.of(CallBlock.builder().callId(id).build())));
        methods.callsEnd(r -> r.id(id).duration(42));
        String other = addCall(EMULATOR.slack().methods(OTHER_TEAM_TOKEN), "pbx-2");

        assertThat(EMULATOR.emulator().client().calls()).containsExactly(
                new CallSnapshot(id, TEAM, "pbx-1", null, "Support line", "https://pbx.example/join/1", null, null,
                        CREATOR, 1_700_000_000, 1_700_000_042L, 42L, true, List.of(CallUser.slackUser("U0ALICE")),
                        List.of("C0CALLS")),
                EMULATOR.emulator().client().call(other).orElseThrow());
        assertThat(EMULATOR.emulator().client().call(other).orElseThrow())
                .satisfies(call -> assertThat(call.teamId()).isEqualTo(OTHER_TEAM))
                .satisfies(call -> assertThat(call.ended()).isFalse())
                .satisfies(call -> assertThat(call.dateEnd()).isNull());
        assertThat(EMULATOR.emulator().client().call("R0NOSUCHCALL")).isEmpty();
    }

    @Test
    void callsCanBeLookedUpByExternalId() throws Exception {
        addCall(methods, "pbx-1");
        addCall(methods, "pbx-2");

        assertThat(EMULATOR.emulator().client().callsWithExternalId("pbx-2"))
                .extracting(CallSnapshot::externalUniqueId).containsExactly("pbx-2");
        assertThat(EMULATOR.emulator().client().callsWithExternalId("pbx-3")).isEmpty();
    }

    @Test
    void statsCountRequestsAnswersAndErrorsPerMethod() throws Exception {
        String id = addCall(methods, "pbx-1");
        addCall(methods, "pbx-1");
        methods.callsEnd(r -> r.id(id));
        methods.callsEnd(r -> r.id(id));
        methods.callsInfo(r -> r.id("R0NOSUCHCALL"));

        EmulatorStats stats = EMULATOR.emulator().client().stats();

        assertThat(stats.duplicateCallsAdd()).isEqualTo(1);
        assertThat(stats.of(ApiMethod.CALLS_ADD)).isEqualTo(new MethodCounts(2, 2, 0, 0, 0, 0, Map.of()));
        assertThat(stats.of(ApiMethod.CALLS_END))
                .isEqualTo(new MethodCounts(2, 1, 0, 0, 0, 0, Map.of("inactive_call", 1L)));
        assertThat(stats.of(ApiMethod.CALLS_INFO).errors()).containsEntry("invalid_call_id", 1L);
        assertThat(stats.methods()).doesNotContainKey("chat.postMessage");
    }

    @Test
    void faultSettingsAreReadAndReplaced() {
        Faults faults = Faults.none().withSeed(9).withServerErrors(0.25).withSlowAnswers(0.1, 700);

        assertThat(EMULATOR.emulator().client().faults(faults)).isEqualTo(faults);
        assertThat(EMULATOR.emulator().client().faults()).isEqualTo(faults);
    }

    @Test
    void aPutNamesOnlyTheFieldsItChanges() throws Exception {
        EMULATOR.emulator().client().faults(Faults.none().withSeed(9));

        HttpResponse<String> response = put("faults", "{\"server_error_rate\":0.5}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(EMULATOR.emulator().client().faults()).isEqualTo(Faults.none().withSeed(9).withServerErrors(0.5));
    }

    @Test
    void aSettingThatIsOutOfRangeOrMisspeltIsRefusedAndChangesNothing() throws Exception {
        HttpResponse<String> tooMuch = put("faults", "{\"server_error_rate\":0.7,\"drop_rate\":0.7}");
        HttpResponse<String> misspelt = put("faults", "{\"server_eror_rate\":0.1}");
        HttpResponse<String> badBudget =
                put("rate-limits", "{\"limits\":{\"calls.add\":{\"requests\":0,\"window_seconds\":60}}}");

        assertThat(tooMuch.statusCode()).isEqualTo(400);
        assertThat(tooMuch.body()).contains("add up to more than 1");
        assertThat(misspelt.statusCode()).isEqualTo(400);
        assertThat(misspelt.body()).contains("server_eror_rate");
        assertThat(badBudget.statusCode()).isEqualTo(400);
        assertThat(badBudget.body()).contains("requests must be at least 1");
        assertThat(EMULATOR.emulator().client().faults()).isEqualTo(Faults.none());
        assertThat(EMULATOR.emulator().client().rateLimits()).isEqualTo(RateLimits.unlimited());
    }

    @Test
    void rateLimitsAreReadAndReplaced() {
        RateLimits limits = RateLimits.sdk().with(ApiMethod.CALLS_END, RateLimit.perMinute(3));

        assertThat(EMULATOR.emulator().client().rateLimits(limits)).isEqualTo(limits);
        assertThat(EMULATOR.emulator().client().rateLimits()).isEqualTo(limits);
    }

    @Test
    void resetForgetsCallsMessagesAndCountsButNeverReusesACallId() throws Exception {
        String before = addCall(methods, "pbx-1");
        methods.chatPostMessage(r -> r.channel("C0CALLS").text("hello"));
        EMULATOR.emulator().client().faults(Faults.none().withSeed(5));

        EMULATOR.emulator().client().reset();

        assertThat(EMULATOR.emulator().client().calls()).isEmpty();
        assertThat(EMULATOR.emulator().client().messages()).isEmpty();
        assertThat(EMULATOR.emulator().client().stats()).isEqualTo(new EmulatorStats(Map.of(), 0));
        assertThat(EMULATOR.emulator().client().faults().seed()).isEqualTo(5);
        assertThat(methods.callsInfo(r -> r.id(before)).getError()).isEqualTo("invalid_call_id");
        assertThat(addCall(methods, "pbx-1")).isGreaterThan(before);
    }

    /** A control request the typed client cannot send, since its records refuse bad settings. */
    private static HttpResponse<String> put(String resource, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(EMULATOR.emulator().inspectionUrl() + resource))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
