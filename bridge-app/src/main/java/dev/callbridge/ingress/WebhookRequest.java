package dev.callbridge.ingress;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One webhook as the ingress received it: its path and raw query (what a provider signs with them),
 * its headers by lower-case name, and its body.
 */
record WebhookRequest(String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {

    WebhookRequest {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, or {@code null}; {@code name} in any case. */
    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The media type without parameters, in lower case; empty when the request names none. */
    String mediaType() {
        String contentType = header("content-type");
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    /** The path and query as the client asked for them, to append to the ingress's public URL. */
    String pathAndQuery() {
        return rawQuery == null ? path : path + "?" + rawQuery;
    }
}
