package dev.callbridge.devkit.local;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.request.calls.CallsAddRequest;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.emulator.TokenGrant;
import java.io.IOException;
import java.util.function.UnaryOperator;

/** A started Slack emulator with the official Slack SDK pointed at it, for tests that need real calls in it. */
final class EmulatedSlack implements AutoCloseable {

    static final String TOKEN = "xoxb-test";

    private final SlackEmulator emulator = SlackEmulator.builder()
            .port(0)
            .token(TokenGrant.parse(TOKEN + "@T0TEST"))
            .build()
            .start();
    private final Slack slack;
    private final MethodsClient methods;

    EmulatedSlack() {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(emulator.baseUrl());
        // Without this the SDK sends an extra auth.test per token, which would show in the request counts.
        config.setStatsEnabled(false);
        slack = Slack.getInstance(config);
        methods = slack.methods(TOKEN);
    }

    EmulatorClient client() {
        return emulator.client();
    }

    /** Registers a call as the bridge would and returns Slack's id for it. */
    String addCall(UnaryOperator<CallsAddRequest.CallsAddRequestBuilder> call) throws IOException, SlackApiException {
        var response = methods.callsAdd(request -> call.apply(request.createdBy("U0HOST")));
        if (!response.isOk()) {
            throw new AssertionError("calls.add failed: " + response.getError());
        }
        return response.getCall().getId();
    }

    void endCall(String id, int durationSeconds) throws IOException, SlackApiException {
        var response = methods.callsEnd(request -> request.id(id).duration(durationSeconds));
        if (!response.isOk()) {
            throw new AssertionError("calls.end failed: " + response.getError());
        }
    }

    @Override
    public void close() {
        try {
            slack.close();
        } catch (Exception e) {
            throw new IllegalStateException("the Slack SDK did not close", e);
        } finally {
            emulator.stop();
        }
    }
}
