package dev.callbridge.emulator;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One Web API request, its body decoded whatever its encoding.
 *
 * @param token the bearer token, or the {@code token} field of a form body; {@code null} when absent
 * @param params every other argument as text; JSON arrays and objects (such as {@code users} or
 *     {@code blocks} in a JSON body) as their JSON text, so they read like the form encoding; HTTP
 *     Basic credentials as {@code client_id} and {@code client_secret}
 */
record ApiRequest(ApiMethod method, String token, Map<String, String> params) {

    /** The arguments of {@code oauth.v2.access} that are credentials, like the token. */
    private static final Set<String> SECRET_PARAMS = Set.of("client_secret", "code", "refresh_token");

    ApiRequest {
        params = Map.copyOf(params);
    }

    /** @throws MethodError {@code invalid_arguments} when the argument is absent or blank */
    String required(String name) {
        return optional(name).orElseThrow(() -> new MethodError("invalid_arguments"));
    }

    /** The argument, unless absent or blank: Slack treats an empty argument as a missing one. */
    Optional<String> optional(String name) {
        return Optional.ofNullable(params.get(name)).filter(value -> !value.isBlank());
    }

    /** @throws MethodError {@code error} when the argument is present but not an integer */
    Optional<Long> optionalLong(String name, String error) {
        try {
            return optional(name).map(value -> Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw new MethodError(error);
        }
    }

    /** The arguments without the credentials among them, fit to be logged or measured. */
    Map<String, String> paramsWithoutSecrets() {
        Map<String, String> shown = new HashMap<>(params);
        shown.keySet().removeAll(SECRET_PARAMS);
        return shown;
    }

    /** Leaves the token and other credentials out, so that a request can be logged or shown in an assertion. */
    @Override
    public String toString() {
        return "ApiRequest[method=" + method + ", token=" + (token == null ? "absent" : "present")
                + ", params=" + paramsWithoutSecrets() + "]";
    }
}
