package dev.callbridge.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.form.FormData;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.server.handlers.form.FormParserFactory;
import io.undertow.server.handlers.form.MultiPartParserDefinition;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes a Web API request the way Slack accepts it: query arguments, then a body that is
 * url-encoded (or {@code text/plain}, which Slack reads the same way), multipart or JSON.
 *
 * <p>The token comes from {@code Authorization: Bearer}, else from a {@code token} argument of a
 * form body or the query. A {@code token} field inside a JSON body is ignored, as Slack ignores it:
 * a client that sends its token there gets {@code not_authed} here too, not a false success.
 * {@code Authorization: Basic}, with which the SDK sends an app's client credentials to
 * {@code oauth.v2.access}, overrides {@code client_id} and {@code client_secret}.
 *
 * <p>Url-encoded bodies are decoded here rather than by Undertow's parser, which skips a badly
 * encoded pair and logs its value: that value could be a token, and Slack answers
 * {@code invalid_form_data} instead.
 */
final class RequestBodyReader {

    private static final String FORM_URLENCODED = "application/x-www-form-urlencoded";
    private static final String TEXT_PLAIN = "text/plain";
    private static final String JSON = "application/json";
    private static final String BEARER = "Bearer ";
    private static final String BASIC = "Basic ";

    private final FormParserFactory multipart = FormParserFactory.builder(false)
            .addParser(new MultiPartParserDefinition())
            // A part without a charset is UTF-8, as the Slack SDK (OkHttp) writes it.
            .withDefaultCharset(StandardCharsets.UTF_8.name())
            .build();

    /**
     * Reads the request; must run on a worker thread with the exchange in blocking mode.
     *
     * @throws MethodError the error Slack gives for a body it cannot read
     */
    ApiRequest read(HttpServerExchange exchange, ApiMethod method) {
        Map<String, String> params = new HashMap<>();
        exchange.getQueryParameters().forEach((name, values) -> putFirst(params, name, values.peekFirst()));
        String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        String mimeType = contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if ("multipart/form-data".equals(mimeType)) {
            params.putAll(readMultipart(exchange));
        } else {
            byte[] body = readBody(exchange);
            if (body.length > 0) {
                if (mimeType == null) {
                    throw new MethodError("missing_post_type");
                }
                switch (mimeType) {
                    case FORM_URLENCODED, TEXT_PLAIN -> params.putAll(readForm(body, charset(contentType)));
                    case JSON -> params.putAll(readJson(body));
                    default -> throw new MethodError("invalid_post_type");
                }
            }
        }
        String token = params.remove("token");
        String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (authorization != null && authorization.startsWith(BEARER)) {
            token = authorization.substring(BEARER.length()).trim();
        }
        if (authorization != null && authorization.startsWith(BASIC)) {
            params.putAll(clientCredentials(authorization.substring(BASIC.length()).trim()));
        }
        return new ApiRequest(method, token, params);
    }

    /** {@code client_id} and {@code client_secret} from Basic credentials; none when they are malformed. */
    private static Map<String, String> clientCredentials(String encoded) {
        String decoded;
        try {
            // ISO-8859-1, as OkHttp encodes Basic credentials by default.
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return Map.of();
        }
        int colon = decoded.indexOf(':');
        return colon < 0
                ? Map.of()
                : Map.of("client_id", decoded.substring(0, colon), "client_secret", decoded.substring(colon + 1));
    }

    private Map<String, String> readMultipart(HttpServerExchange exchange) {
        FormDataParser parser = multipart.createParser(exchange);
        if (parser == null) {
            throw new MethodError("invalid_form_data");
        }
        Map<String, String> params = new HashMap<>();
        try {
            FormData data = parser.parseBlocking();
            for (String name : data) {
                Deque<FormData.FormValue> values = data.get(name);
                values.stream().filter(v -> !v.isFileItem()).findFirst()
                        .ifPresent(value -> putFirst(params, name, value.getValue()));
            }
        } catch (IOException e) {
            throw new MethodError("invalid_form_data");
        }
        return params;
    }

    private static byte[] readBody(HttpServerExchange exchange) {
        try {
            return exchange.getInputStream().readAllBytes();
        } catch (IOException e) {
            // The body ended early or broke the size limit: Slack's word for a truncated POST.
            throw new MethodError("request_timeout");
        }
    }

    private static Charset charset(String contentType) {
        String name = Headers.extractQuotedValueFromHeader(contentType, "charset");
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "utf-8" -> StandardCharsets.UTF_8;
            case "iso-8859-1" -> StandardCharsets.ISO_8859_1;
            default -> throw new MethodError("invalid_charset");
        };
    }

    private static Map<String, String> readForm(byte[] body, Charset charset) {
        Map<String, String> params = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), charset);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), charset);
                putFirst(params, name, value);
            } catch (IllegalArgumentException e) {
                throw new MethodError("invalid_form_data");
            }
        }
        return params;
    }

    private static Map<String, String> readJson(byte[] body) {
        JsonNode root;
        try {
            root = EmulatorJson.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw new MethodError("invalid_json");
        } catch (IOException e) {
            throw new MethodError("request_timeout");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new MethodError("json_not_object");
        }
        Map<String, String> params = new HashMap<>();
        object.properties().forEach(field -> {
            JsonNode value = field.getValue();
            if (!value.isNull()) {
                params.put(field.getKey(), value.isContainerNode() ? value.toString() : value.asText());
            }
        });
        params.remove("token");
        return params;
    }

    /** Keeps the first value of an argument given more than once. */
    private static void putFirst(Map<String, String> params, String name, String value) {
        if (value != null) {
            params.putIfAbsent(name, value);
        }
    }
}
