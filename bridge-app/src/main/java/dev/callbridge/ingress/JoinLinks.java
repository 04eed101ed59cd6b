package dev.callbridge.ingress;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A provider's calls' join links in Slack, made from a template with {@value IngressConfig#CALL_ID_PLACEHOLDER} in it. */
record JoinLinks(String template) {

    String forCall(String callId) {
        // Ids go into a path or a query: escaped for either, a space as %20 rather than a form's +.
        String escaped = URLEncoder.encode(callId, StandardCharsets.UTF_8).replace("+", "%20");
        return template.replace(IngressConfig.CALL_ID_PLACEHOLDER, escaped);
    }
}
