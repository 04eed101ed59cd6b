package dev.callbridge.emulator;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Slack app as registered with the emulated Slack: the credentials its OAuth installs check, the
 * secret its Events API requests are signed with, and whether its tokens rotate.
 *
 * @param clientId the app's OAuth client id; its app id ({@link #appId()}) is derived from it
 * @param clientSecret what {@code oauth.v2.access} checks beside the client id
 * @param signingSecret the key of every Events API request's {@code X-Slack-Signature}
 * @param eventsUrl the Events API request URL; {@code null} for an app that subscribes to no events
 * @param tokenLifetime how long an access token works with token rotation on; {@code null} for
 *     rotation off, when access tokens never expire and no refresh tokens are issued
 * @param scopes the bot scopes an install may grant
 * @param interactivityUrl where clicks on the app's buttons are sent; {@code null} for the events URL,
 *     as a Bolt app serves both on one path
 */
public record EmulatedApp(
        String clientId, String clientSecret, String signingSecret, String eventsUrl, Duration tokenLifetime,
        Set<String> scopes, String interactivityUrl) {

    /** How long Slack's rotating access tokens work. */
    public static final Duration SLACK_TOKEN_LIFETIME = Duration.ofHours(12);

    public EmulatedApp {
        requireText("client id", clientId);
        requireText("client secret", clientSecret);
        requireText("signing secret", signingSecret);
        if (clientId.replaceAll("[^A-Za-z0-9]", "").isEmpty()) {
            throw new IllegalArgumentException("an app's client id needs a letter or digit, was '" + clientId + "'");
        }
        requireHttpUrl("events URL", eventsUrl);
        requireHttpUrl("interactivity URL", interactivityUrl);
        if (tokenLifetime != null && tokenLifetime.compareTo(Duration.ofSeconds(1)) < 0) {
            // expires_in counts whole seconds.
            throw new IllegalArgumentException("a token lifetime must be at least one second, was " + tokenLifetime);
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("an app needs at least one scope to grant");
        }
        SortedSet<String> sorted = new TreeSet<>(scopes);
        scopes = Collections.unmodifiableSortedSet(sorted);
    }

    /** An app whose clicks go to its events URL. */
    public EmulatedApp(String clientId, String clientSecret, String signingSecret, String eventsUrl,
            Duration tokenLifetime, Set<String> scopes) {
        this(clientId, clientSecret, signingSecret, eventsUrl, tokenLifetime, scopes, null);
    }

    /** An app that may grant every scope the emulated methods check, with no events URL and no token rotation. */
    public static EmulatedApp of(String clientId, String clientSecret, String signingSecret) {
        return new EmulatedApp(clientId, clientSecret, signingSecret, null, null, Scopes.ALL);
    }

    public EmulatedApp withEventsUrl(String newEventsUrl) {
        return new EmulatedApp(clientId, clientSecret, signingSecret, newEventsUrl, tokenLifetime, scopes,
                interactivityUrl);
    }

    /** Token rotation on, access tokens working for {@link #SLACK_TOKEN_LIFETIME} as on Slack. */
    public EmulatedApp withTokenRotation() {
        return withTokenRotation(SLACK_TOKEN_LIFETIME);
    }

    /** Token rotation on, access tokens working for {@code lifetime}. */
    public EmulatedApp withTokenRotation(Duration lifetime) {
        return new EmulatedApp(clientId, clientSecret, signingSecret, eventsUrl, lifetime, scopes,
                interactivityUrl);
    }

    public EmulatedApp withScopes(Set<String> newScopes) {
        return new EmulatedApp(clientId, clientSecret, signingSecret, eventsUrl, tokenLifetime, newScopes,
                interactivityUrl);
    }

    public EmulatedApp withInteractivityUrl(String newInteractivityUrl) {
        return new EmulatedApp(clientId, clientSecret, signingSecret, eventsUrl, tokenLifetime, scopes,
                newInteractivityUrl);
    }

    /** Where a click is sent: the interactivity URL, else the events URL; {@code null} when the app has neither. */
    public String interactivityRequestUrl() {
        return interactivityUrl != null ? interactivityUrl : eventsUrl;
    }

    /** {@code A} and the client id's letters and digits in capitals: {@code 1234.5678} is app {@code A12345678}. */
    public String appId() {
        return "A" + clientId.replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT);
    }

    public boolean rotatesTokens() {
        return tokenLifetime != null;
    }

    /** Leaves both secrets out: apps end up in logs and assertion messages, secrets must not. */
    @Override
    public String toString() {
        return "EmulatedApp[clientId=" + clientId + ", appId=" + appId() + ", eventsUrl=" + eventsUrl
                + ", interactivityUrl=" + interactivityUrl + ", tokenLifetime=" + tokenLifetime + ", scopes=" + scopes + "]";
    }

    private static void requireHttpUrl(String name, String url) {
        if (url != null) {
            URI uri = URI.create(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("an app's " + name + " must be an http(s) URL, was '" + url + "'");
            }
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("an app needs a " + name);
        }
    }
}
