package dev.callbridge.emulator;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * The Slack Web API methods the emulator answers, each with the scope a token needs to call it;
 * {@code oauth.v2.access} takes an app's client credentials instead of a token, and
 * {@code apps.connections.open} an app-level token.
 */
public enum ApiMethod {
    AUTH_TEST("auth.test", null),
    AUTH_REVOKE("auth.revoke", null),
    OAUTH_V2_ACCESS("oauth.v2.access", null),
    APPS_CONNECTIONS_OPEN("apps.connections.open", null),
    CALLS_ADD("calls.add", Scopes.CALLS_WRITE),
    CHAT_POST_MESSAGE("chat.postMessage", Scopes.CHAT_WRITE),
    CALLS_PARTICIPANTS_ADD("calls.participants.add", Scopes.CALLS_WRITE),
    CALLS_PARTICIPANTS_REMOVE("calls.participants.remove", Scopes.CALLS_WRITE),
    CALLS_UPDATE("calls.update", Scopes.CALLS_WRITE),
    CALLS_END("calls.end", Scopes.CALLS_WRITE),
    CALLS_INFO("calls.info", Scopes.CALLS_READ),
    CHAT_UPDATE("chat.update", Scopes.CHAT_WRITE),
    CONVERSATIONS_REPLIES("conversations.replies", Scopes.CHANNELS_HISTORY);

    private final String apiName;
    private final String requiredScope;

    ApiMethod(String apiName, String requiredScope) {
        this.apiName = apiName;
        this.requiredScope = requiredScope;
    }

    @JsonValue
    public String apiName() {
        return apiName;
    }

    /** The scope a token must hold; empty for methods any valid token may call. */
    public Optional<String> requiredScope() {
        return Optional.ofNullable(requiredScope);
    }

    /** Whether the method checks an app's own credentials rather than a workspace's token. */
    public boolean takesAppCredentials() {
        return this == OAUTH_V2_ACCESS || this == APPS_CONNECTIONS_OPEN;
    }

    public static Optional<ApiMethod> find(String apiName) {
        return Arrays.stream(values()).filter(m -> m.apiName.equals(apiName)).findFirst();
    }

    @JsonCreator
    public static ApiMethod fromApiName(String apiName) {
        return find(apiName).orElseThrow(() -> new IllegalArgumentException("unknown Slack method: " + apiName));
    }

    /** The API name, so that the method reads as Slack spells it in JSON map keys and messages. */
    @Override
    public String toString() {
        return apiName;
    }
}
