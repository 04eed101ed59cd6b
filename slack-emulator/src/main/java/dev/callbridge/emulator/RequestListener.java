package dev.callbridge.emulator;

import java.time.Instant;
import java.util.Map;

/**
 * Told of every Web API request the emulator reads, with the moment it arrived: for measurements
 * such as the time from an event to the Slack request it caused. Called on the emulator's worker
 * threads; keep it quick. Credentials are never among the parameters: not the token, nor the client
 * secret, code or refresh token of {@code oauth.v2.access}.
 */
@FunctionalInterface
public interface RequestListener {

    /**
     * @param method the Web API method, e.g. {@code calls.add}
     * @param params the request's parameters (form fields or JSON members), credentials left out
     * @param receivedAt when the request reached the emulator, before its body was read
     */
    void received(String method, Map<String, String> params, Instant receivedAt);

    RequestListener NONE = (method, params, receivedAt) -> { };
}
