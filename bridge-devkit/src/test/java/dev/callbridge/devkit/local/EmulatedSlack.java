package dev.callbridge.devkit.local;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.request.calls.CallsAddRequest;
import com.slack.api.methods.request.chat.ChatPostMessageRequest;
import dev.callbridge.emulator.EmulatedApp;
import dev.callbridge.emulator.EmulatorClient;
import dev.callbridge.emulator.RateLimits;
import dev.callbridge.emulator.SlackEmulator;
import dev.callbridge.emulator.TokenGrant;
import java.io.IOException;
import java.util.function.UnaryOperator;

/** A started Slack emulator with the official Slack SDK pointed at it, for tests that need real calls and messages in it. */
final class EmulatedSlack implements AutoCloseable {

    static final String TOKEN = "xoxb-test";
    static final String TEAM = "T0TEST";

    private final SlackEmulator emulator;
    private final Slack slack;
    private final MethodsClient methods;

    EmulatedSlack() {
        this(null);
    }

    /** @param app a Slack app whose buttons the emulator can click; {@code null} for none */
    EmulatedSlack(EmulatedApp app) {
        // Unlimited, so that a test may post several messages to one channel at once.
        SlackEmulator.Builder builder = SlackEmulator.builder().port(0).token(TokenGrant.parse(TOKEN + "@" + TEAM))
                .rateLimits(RateLimits.preset("unlimited"));
        if (app != null) {
            builder.app(app);
        }
        emulator = builder.build().start();
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

    /** Posts a message as the bridge would and returns its {@code ts}. */
    String post(UnaryOperator<ChatPostMessageRequest.ChatPostMessageRequestBuilder> message)
            throws IOException, SlackApiException {
        var response = methods.chatPostMessage(message::apply);
        if (!response.isOk()) {
            throw new AssertionError("chat.postMessage failed: " + response.getError());
        }
        return response.getTs();
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
