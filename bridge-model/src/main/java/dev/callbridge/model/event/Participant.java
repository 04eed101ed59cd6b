package dev.callbridge.model.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One person on a call, in the shape Slack's Calls API takes in {@code users}: either a Slack user
 * ({@code slack_id}) or an external user ({@code external_id} with a {@code display_name}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Participant(String slackId, String externalId, String displayName, String avatarUrl) {

    public static Participant slackUser(String slackId) {
        return new Participant(slackId, null, null, null);
    }

    public static Participant external(String externalId, String displayName) {
        return new Participant(null, externalId, displayName, null);
    }

    /** Identity of the participant within a call; Slack users and external users never collide. */
    public String key() {
        return slackId != null ? "slack:" + slackId : "external:" + externalId;
    }
}
