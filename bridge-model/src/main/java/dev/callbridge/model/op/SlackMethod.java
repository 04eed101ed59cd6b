package dev.callbridge.model.op;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The Slack Web API methods the bridge calls. */
public enum SlackMethod {
    CALLS_ADD("calls.add"),
    CHAT_POST_MESSAGE("chat.postMessage"),
    CALLS_PARTICIPANTS_ADD("calls.participants.add"),
    CALLS_PARTICIPANTS_REMOVE("calls.participants.remove"),
    CALLS_UPDATE("calls.update"),
    CALLS_END("calls.end"),
    CALLS_INFO("calls.info"),
    CHAT_UPDATE("chat.update"),
    CONVERSATIONS_REPLIES("conversations.replies");

    private final String apiName;

    SlackMethod(String apiName) {
        this.apiName = apiName;
    }

    @JsonValue
    public String apiName() {
        return apiName;
    }

    @JsonCreator
    public static SlackMethod fromApiName(String name) {
        return Arrays.stream(values())
                .filter(m -> m.apiName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown Slack method: " + name));
    }
}
