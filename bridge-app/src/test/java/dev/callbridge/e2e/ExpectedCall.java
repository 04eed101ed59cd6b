package dev.callbridge.e2e;

import java.util.Set;

/** What one call must look like in Slack once the bridge has caught up: its people by Slack id, title and end. */
record ExpectedCall(String externalId, Set<String> slackUsers, String title, boolean ended) {

    ExpectedCall {
        slackUsers = Set.copyOf(slackUsers);
    }
}
