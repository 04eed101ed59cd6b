package dev.callbridge.slack;

import java.util.Objects;

/** A Slack API token. Its text is only handed to the Slack SDK; printing it shows a redaction. */
public final class SlackToken {

    private final String value;

    public SlackToken(String value) {
        Objects.requireNonNull(value, "token");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a Slack token must not be blank");
        }
        this.value = value.strip();
    }

    /** The secret itself, for the Slack SDK only. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "SlackToken[redacted]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SlackToken token && token.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
