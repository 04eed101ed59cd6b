package dev.callbridge.provider.emulator;

import java.net.URI;

/**
 * Where the platform sends what it tells, changeable while it runs (a bridge's port may be known only
 * after the emulator started).
 *
 * @param webhookUrl where the platform's webhooks go; {@code null}: none are sent
 * @param twilioStatusCallbackUrl where a Twilio-flavoured call's status callbacks go; {@code null}: none are sent
 * @param analysisDelayMillis how long after {@code call_ended} the platform sends {@code call_analyzed}
 */
public record Targets(String webhookUrl, String twilioStatusCallbackUrl, long analysisDelayMillis) {

    public Targets {
        requireHttpUrl("webhook_url", webhookUrl);
        requireHttpUrl("twilio_status_callback_url", twilioStatusCallbackUrl);
        if (analysisDelayMillis < 0) {
            throw new IllegalArgumentException("analysis_delay_millis cannot be negative, was " + analysisDelayMillis);
        }
    }

    public Targets withWebhookUrl(String url) {
        return new Targets(url, twilioStatusCallbackUrl, analysisDelayMillis);
    }

    public Targets withTwilioStatusCallbackUrl(String url) {
        return new Targets(webhookUrl, url, analysisDelayMillis);
    }

    public Targets withAnalysisDelayMillis(long delayMillis) {
        return new Targets(webhookUrl, twilioStatusCallbackUrl, delayMillis);
    }

    private static void requireHttpUrl(String name, String url) {
        if (url == null) {
            return;
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be an http(s) URL, was '" + url + "'");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(name + " must be an http(s) URL, was '" + url + "'");
        }
    }
}
