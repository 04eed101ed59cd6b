package dev.callbridge.provider;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the voice-AI platform's API is and how to call it.
 *
 * @param url the API's base URL, without a trailing slash: {@code POST <url>/calls/end}
 * @param key the API key, sent as {@code Authorization: Bearer}; a secret, never printed
 * @param timeout how long one request may take
 */
public record ProviderApiConfig(String url, String key, Duration timeout) {

    public ProviderApiConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(timeout, "timeout");
        URI uri = URI.create(url);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("the provider's API URL must be an http(s) URL, was '" + url + "'");
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        // The key never prints.
        return "ProviderApiConfig[url=" + url + ", timeout=" + timeout + "]";
    }
}
