package dev.callbridge.slackapp;

import java.util.Objects;
import java.util.Set;

/**
 * The telephony provider's end-call API, which the End call control in a call block's thread reaches
 * through the Slack app.
 *
 * @param url the API's base URL ({@code POST <url>/calls/end}, {@code GET <url>/calls/<id>})
 * @param key the API key, sent as a bearer token; a secret, never printed
 * @param endCallSources the event {@code source}s whose calls get the control
 */
public record ProviderApi(String url, String key, Set<String> endCallSources) {

    /** The voice-AI platform's events, as the bridge's ingress writes them. */
    public static final String VOICE_AI_SOURCE = "urn:callbridge:voice-ai";

    public ProviderApi {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(key, "key");
        endCallSources = Set.copyOf(endCallSources);
    }

    @Override
    public String toString() {
        // The key never prints.
        return "ProviderApi[url=" + url + ", endCallSources=" + endCallSources + "]";
    }
}
