package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.CREATOR;
import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.model.CallParticipant;
import com.slack.api.util.http.SlackHttpClient;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every body encoding Slack reads, sent by the SDK's own HTTP client: url-encoded (what the SDK's
 * typed methods send), JSON and multipart; and the errors for bodies Slack cannot read.
 */
class BodyEncodingTest {

    private static final String TITLE = "Café ☎ «support»";

    @RegisterExtension
    static final EmulatorPerClass EMULATOR = new EmulatorPerClass();

    private static SlackHttpClient http() {
        return EMULATOR.slack().getHttpClient();
    }


    @Test
    void aUrlEncodedBodyCarriesUsersAsAJsonString() throws Exception {
        var response = EMULATOR.slack().methods(TOKEN).callsAdd(r -> r.externalUniqueId("pbx-form")
                .joinUrl("https://pbx.example/join/1").createdBy(CREATOR).title(TITLE)
                .users(List.of(CallParticipant.builder().slackId("U0ALICE").build())));

        assertThat(response.isOk()).isTrue();
        assertThat(onlyCall().title()).isEqualTo(TITLE);
        assertThat(onlyCall().users()).containsExactly(CallUser.slackUser("U0ALICE"));
    }

    @Test
    void aJsonBodyTakesUsersAsAnArray() throws Exception {
        Map<String, Object> body = Map.of(
                "external_unique_id", "pbx-json",
                "join_url", "https://pbx.example/join/1",
                "created_by", CREATOR,
                "title", TITLE,
                "date_start", 1_700_000_000,
                "users", List.of(
                        Map.of("slack_id", "U0ALICE"),
                        Map.of("external_id", "+1555", "display_name", "Guest")));

        String answer = postJson("calls.add", body);

        assertThat(answer).contains("\"ok\":true", "\"date_start\":1700000000");
        assertThat(onlyCall().title()).isEqualTo(TITLE);
        assertThat(onlyCall().users())
                .containsExactly(CallUser.slackUser("U0ALICE"), CallUser.external("+1555", "Guest"));
    }

    @Test
    void aJsonBodyTakesUsersAsAJsonStringToo() throws Exception {
        Map<String, Object> body = Map.of(
                "external_unique_id", "pbx-json",
                "join_url", "https://pbx.example/join/1",
                "created_by", CREATOR,
                "users", "[{\"slack_id\":\"U0ALICE\"}]");

        assertThat(postJson("calls.add", body)).contains("\"ok\":true");
        assertThat(onlyCall().users()).containsExactly(CallUser.slackUser("U0ALICE"));
    }

    @Test
    void aTokenInsideAJsonBodyIsIgnoredAsSlackIgnoresIt() throws Exception {
        try (Response response = http().postJsonBody(EMULATOR.emulator().baseUrl() + "auth.test", Map.of("token", TOKEN))) {
            assertThat(response.body().string()).isEqualTo("{\"ok\":false,\"error\":\"not_authed\"}");
        }
    }

    @Test
    void aMultipartBodyCarriesTheSameArguments() throws Exception {
        MultipartBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("external_unique_id", "pbx-multipart")
                .addFormDataPart("join_url", "https://pbx.example/join/1")
                .addFormDataPart("created_by", CREATOR)
                .addFormDataPart("title", TITLE)
                .addFormDataPart("users", "[{\"slack_id\":\"U0ALICE\"}]")
                .build();

        try (Response response = http().postMultipart(EMULATOR.emulator().baseUrl() + "calls.add", TOKEN, body)) {
            assertThat(response.body().string()).contains("\"ok\":true");
        }
        assertThat(onlyCall().externalUniqueId()).isEqualTo("pbx-multipart");
        assertThat(onlyCall().title()).isEqualTo(TITLE);
        assertThat(onlyCall().users()).containsExactly(CallUser.slackUser("U0ALICE"));
    }

    @Test
    void aBadlyEncodedFormIsInvalidFormData() throws Exception {
        assertThat(post("auth.test", "token=xoxb-%zz", "application/x-www-form-urlencoded"))
                .isEqualTo(error("invalid_form_data"));
        assertThat(post("auth.test", "--x\r\nbroken", "multipart/form-data; boundary=x"))
                .isEqualTo(error("invalid_form_data"));
    }

    @Test
    void anUnreadableJsonBodyIsInvalidJson() throws Exception {
        assertThat(post("auth.test", "{\"token\":", "application/json")).isEqualTo(error("invalid_json"));
        assertThat(post("auth.test", "[1,2]", "application/json")).isEqualTo(error("json_not_object"));
    }

    @Test
    void aContentTypeSlackDoesNotReadIsInvalidPostType() throws Exception {
        assertThat(post("auth.test", "<token/>", "application/xml")).isEqualTo(error("invalid_post_type"));
        assertThat(post("auth.test", "token=" + TOKEN, null)).isEqualTo(error("missing_post_type"));
    }

    @Test
    void aCharsetOtherThanUtf8OrLatin1IsInvalidCharset() throws Exception {
        assertThat(post("auth.test", "token=" + TOKEN, "application/x-www-form-urlencoded; charset=utf-16"))
                .isEqualTo(error("invalid_charset"));
        assertThat(post("auth.test", "token=" + TOKEN, "application/x-www-form-urlencoded; charset=ISO-8859-1"))
                .contains("\"ok\":true");
    }

    @Test
    void aMethodSlackDoesNotHaveIsUnknownMethod() throws Exception {
        assertThat(post("calls.nonsense", "token=" + TOKEN, "application/x-www-form-urlencoded"))
                .isEqualTo(error("unknown_method"));
    }

    private static CallSnapshot onlyCall() {
        List<CallSnapshot> calls = EMULATOR.emulator().client().calls();
        assertThat(calls).hasSize(1);
        return calls.get(0);
    }

    private static String postJson(String method, Map<String, Object> body) throws Exception {
        // The camel-case variant leaves map keys as they are; it is the SDK's JSON call with a bearer header.
        try (Response response = http().postCamelCaseJsonBodyWithBearerHeader(EMULATOR.emulator().baseUrl() + method, TOKEN, body)) {
            return response.body().string();
        }
    }

    /** A body no well-behaved client sends, through the SDK's own OkHttp client. */
    private static String post(String method, String body, String contentType) throws Exception {
        RequestBody requestBody = RequestBody.create(body, contentType == null ? null : MediaType.get(contentType));
        Request request = new Request.Builder().url(EMULATOR.emulator().baseUrl() + method).post(requestBody).build();
        try (Response response = http().getOkHttpClient().newCall(request).execute()) {
            return response.body().string();
        }
    }

    private static String error(String code) {
        return "{\"ok\":false,\"error\":\"" + code + "\"}";
    }
}
