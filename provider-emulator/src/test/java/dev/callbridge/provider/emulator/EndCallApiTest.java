package dev.callbridge.provider.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The platform's end-call and call APIs, as its documentation describes them. */
class EndCallApiTest {

    private static final String KEY = "test-api-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProviderEmulator provider =
            ProviderEmulator.builder().apiKey(KEY).webhookSecret("whsec").build().start();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        provider.close();
    }

    private HttpResponse<String> end(String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(provider.baseUrl() + "/calls/end"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String key, String callId) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(provider.baseUrl() + "/calls/" + callId))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CallSnapshot startCall() {
        return provider.client().start(StartCall.voiceAi("+15550100", "+15550199", "Ava"));
    }

    @Test
    void endingALiveCallAnswersWithTheEndedCallAndRecordsTheReason() throws Exception {
        CallSnapshot call = startCall();

        HttpResponse<String> answer = end(KEY,
                "{\"call_id\":\"" + call.callId() + "\",\"disconnect_reason\":\"Ended from Slack by <@U0ADA>\"}");

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode ended = JSON.readTree(answer.body());
        assertThat(ended.get("call_id").asText()).isEqualTo(call.callId());
        assertThat(ended.get("status").asText()).isEqualTo("ended");
        assertThat(ended.get("disconnect_reason").asText()).isEqualTo("Ended from Slack by <@U0ADA>");
        assertThat(provider.client().call(call.callId())).hasValueSatisfying(c -> assertThat(c.ended()).isTrue());
        assertThat(provider.client().endRequests()).singleElement().satisfies(request -> {
            assertThat(request.callId()).isEqualTo(call.callId());
            assertThat(request.disconnectReason()).isEqualTo("Ended from Slack by <@U0ADA>");
            assertThat(request.outcome()).isEqualTo("ended");
        });

        HttpResponse<String> details = get(KEY, call.callId());
        assertThat(details.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(details.body()).get("status").asText()).isEqualTo("ended");
        assertThat(JSON.readTree(details.body()).has("ended_at")).isTrue();
    }

    @Test
    void withoutAReasonTheCallEndsWithThePlatformsDefault() throws Exception {
        CallSnapshot call = startCall();

        end(KEY, "{\"call_id\":\"" + call.callId() + "\"}");

        assertThat(provider.client().call(call.callId()).orElseThrow().disconnectReason()).isEqualTo("Ended Via API call");
    }

    @Test
    void everyFailureIsAnEmpty200() throws Exception {
        CallSnapshot call = startCall();
        end(KEY, "{\"call_id\":\"" + call.callId() + "\"}");

        for (String body : new String[] {
            "{\"call_id\":\"" + UUID.randomUUID() + "\"}", "{\"call_id\":\"not-a-uuid\"}", "{\"call_id\":42}",
            "not json", "", "{\"call_id\":\"" + call.callId() + "\"}"}) {
            HttpResponse<String> answer = end(KEY, body);
            assertThat(answer.statusCode()).as(body).isEqualTo(200);
            assertThat(answer.body()).as(body).isEmpty();
        }
        assertThat(provider.client().endRequests()).extracting(EndRequest::outcome).containsExactly(
                "ended", "unknown_call", "invalid_call_id", "invalid_call_id", "bad_request", "bad_request",
                "already_ended");
    }

    @Test
    void aMissingOrWrongKeyIs401AndEndsNothing() throws Exception {
        CallSnapshot call = startCall();
        String body = "{\"call_id\":\"" + call.callId() + "\"}";

        assertThat(end(null, body).statusCode()).isEqualTo(401);
        assertThat(end("wrong-key", body).statusCode()).isEqualTo(401);
        assertThat(get("wrong-key", call.callId()).statusCode()).isEqualTo(401);

        assertThat(provider.client().call(call.callId()).orElseThrow().ended()).isFalse();
        assertThat(provider.client().endRequests()).extracting(EndRequest::outcome)
                .containsExactly("unauthorized", "unauthorized");
    }

    @Test
    void anUnknownCallIs404() throws Exception {
        assertThat(get(KEY, UUID.randomUUID().toString()).statusCode()).isEqualTo(404);
        assertThat(get(KEY, "nonsense").statusCode()).isEqualTo(404);
    }

    @Test
    void theEndIgnoredFaultAnswersEmpty200AndLeavesTheCallLive() throws Exception {
        CallSnapshot call = startCall();
        provider.client().faults(Faults.none().withEndIgnored(true));

        HttpResponse<String> answer = end(KEY, "{\"call_id\":\"" + call.callId() + "\"}");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEmpty();
        assertThat(provider.client().call(call.callId()).orElseThrow().status()).isEqualTo("in_progress");
        assertThat(provider.client().endRequests()).extracting(EndRequest::outcome).containsExactly("ignored");
    }

    @Test
    void theCallerHangingUpEndsTheCallAndResetForgetsEverything() throws Exception {
        CallSnapshot call = startCall();

        CallSnapshot ended = provider.client().hangUp(call.callId(), "user_hangup");

        assertThat(ended.ended()).isTrue();
        assertThat(ended.durationSeconds()).isNotNull();
        provider.client().reset();
        assertThat(provider.client().calls()).isEmpty();
        assertThat(provider.client().endRequests()).isEmpty();
        assertThat(get(KEY, call.callId()).statusCode()).isEqualTo(404);
    }
}
