package dev.callbridge.emulator;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One person on an emulated call, in the shape of an entry of Slack's Calls {@code users}: a Slack
 * user ({@code slack_id}) or an external one ({@code external_id}, {@code display_name}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallUser(String slackId, String externalId, String displayName, String avatarUrl) {

    public static CallUser slackUser(String slackId) {
        return new CallUser(slackId, null, null, null);
    }

    public static CallUser external(String externalId, String displayName) {
        return new CallUser(null, externalId, displayName, null);
    }

    /** Who this is on a call: a Slack user by {@code slack_id}, anyone else by {@code external_id}. */
    String key() {
        return slackId != null ? "slack:" + slackId : "external:" + externalId;
    }
}
