package dev.callbridge.slackapp;

import java.time.Duration;
import java.util.Objects;

/**
 * The Slack app's settings, for installing the bridge into workspaces with "Add to Slack".
 *
 * @param clientId the app's client id
 * @param clientSecret the app's client secret; also keys the OAuth state, so any instance can check it
 * @param signingSecret checks that requests to {@code /slack/events} come from Slack
 * @param scopes the bot scopes asked for, comma-separated
 * @param redirectUrl the public URL of {@code /slack/oauth/callback}, as registered with the app
 * @param authorizeUrl where "Add to Slack" sends the browser: Slack's authorize page, or the emulator's
 * @param encryptionKeys the keys that encrypt stored tokens, {@code keyId:base64Key[,...]}, the first used for new writes
 * @param refreshBefore how long before an access token expires it is rotated
 * @param completionUrl where the browser goes once an install is stored; {@code null} for Slack's app page
 * @param socketModeToken the app-level token ({@code xapp-…}) the events come over Socket Mode with;
 *     {@code null} for the Events API at {@code /slack/events}
 */
public record SlackAppConfig(
        String clientId,
        String clientSecret,
        String signingSecret,
        String scopes,
        String redirectUrl,
        String authorizeUrl,
        String encryptionKeys,
        Duration refreshBefore,
        String completionUrl,
        String socketModeToken) {

    /** Slack's own authorize page, which Bolt links to. */
    public static final String SLACK_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize";

    public SlackAppConfig {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(signingSecret, "signingSecret");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(authorizeUrl, "authorizeUrl");
        Objects.requireNonNull(encryptionKeys, "encryptionKeys");
        Objects.requireNonNull(refreshBefore, "refreshBefore");
    }

    @Override
    public String toString() {
        // The secrets and keys never print.
        return "SlackAppConfig[clientId=" + clientId + ", scopes=" + scopes + ", redirectUrl=" + redirectUrl
                + ", authorizeUrl=" + authorizeUrl + ", refreshBefore=" + refreshBefore + ", completionUrl=" + completionUrl
                + ", socketMode=" + (socketModeToken != null) + "]";
    }
}
