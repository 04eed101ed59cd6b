package dev.callbridge.emulator;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code GET /oauth/v2/authorize}, the page Slack's "Add to Slack" link opens: the workspaces to
 * install the app in, each with an Allow link, and a form naming a new one. Allowing redirects to
 * {@code redirect_uri} with a one-time {@code code} and the {@code state}; Cancel redirects with
 * {@code error=access_denied}. A {@code team} argument (and {@code team_name} for a new workspace)
 * allows at once, which is what the Allow links and the form send, and what tests append.
 *
 * <p>Stricter than Slack, which falls back to the app's configured redirect URL: {@code redirect_uri}
 * is required, since the emulated apps have none configured. {@code user_scope} is ignored: installs
 * grant bot tokens only.
 */
final class AuthorizePage implements HttpHandler {

    static final String PATH = "/oauth/v2/authorize";

    private static final Pattern TEAM_ID = Pattern.compile("T[A-Z0-9]+");
    private static final Pattern SCOPE_SEPARATOR = Pattern.compile("[,\\s]+");

    private final Installations installations;
    private final EmulatorState state;

    AuthorizePage(Installations installations, EmulatorState state) {
        this.installations = installations;
        this.state = state;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            // Off the I/O thread: an install waits for the installations' lock.
            exchange.dispatch(this);
            return;
        }
        if (!Methods.GET.equals(exchange.getRequestMethod())) {
            send(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                    page("Use GET", "<p>The authorize page is opened with GET.</p>"));
            return;
        }
        Map<String, String> query = new LinkedHashMap<>();
        exchange.getQueryParameters().forEach((name, values) -> query.put(name, first(values)));
        Authorize request;
        try {
            request = authorize(query);
        } catch (IllegalArgumentException e) {
            send(exchange, StatusCodes.BAD_REQUEST, page("Cannot install", "<p>" + html(e.getMessage()) + "</p>"));
            return;
        }
        String team = query.get("team");
        if (team == null || team.isBlank()) {
            send(exchange, StatusCodes.OK, choices(request));
        } else if (!TEAM_ID.matcher(team).matches()) {
            send(exchange, StatusCodes.BAD_REQUEST, page("Cannot install",
                    "<p>invalid_team_id: a team id is T and capitals or digits, not " + html(team) + "</p>"));
        } else {
            String teamName = query.get("team_name");
            String code = installations.authorize(request.app(), team,
                    teamName == null || teamName.isBlank() ? null : teamName.trim(), request.scopes(),
                    request.redirectUri());
            redirect(exchange, request.redirectTo("code", code));
        }
    }

    /** @throws IllegalArgumentException naming Slack's reason when the app or its request is not acceptable */
    private Authorize authorize(Map<String, String> query) {
        String clientId = query.get("client_id");
        EmulatedApp app = installations.app(clientId).orElseThrow(() -> new IllegalArgumentException(
                "invalid_client_id: no app has the client id " + clientId));
        String redirectUri = query.get("redirect_uri");
        if (redirectUri == null || !acceptable(redirectUri)) {
            throw new IllegalArgumentException(
                    "bad_redirect_uri: redirect_uri must be an http(s) URL without a fragment, was " + redirectUri);
        }
        SortedSet<String> scopes = new TreeSet<>(Arrays.asList(SCOPE_SEPARATOR.split(query.getOrDefault("scope", ""))));
        scopes.remove("");
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("invalid_scope: the app asks for no scope");
        }
        SortedSet<String> notGrantable = new TreeSet<>(scopes);
        notGrantable.removeAll(app.scopes());
        if (!notGrantable.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid_scope: the app may not ask for " + String.join(",", notGrantable));
        }
        return new Authorize(app, scopes, redirectUri, query.getOrDefault("state", ""));
    }

    private String choices(Authorize request) {
        StringBuilder body = new StringBuilder()
                .append("<p>App <b>").append(html(request.app().appId())).append("</b> asks for: ")
                .append(html(String.join(", ", request.scopes()))).append("</p>\n<h2>Choose a workspace</h2>\n<ul>\n");
        state.workspaceNames().forEach((teamId, name) -> body
                .append("<li>").append(html(name)).append(" (").append(html(teamId)).append(") <a href=\"")
                .append(html(request.allowIn(teamId))).append("\">Allow</a></li>\n"));
        body.append("</ul>\n<h2>Or a new workspace</h2>\n<form method=\"get\" action=\"authorize\">\n");
        request.arguments().forEach((name, value) -> body
                .append("<input type=\"hidden\" name=\"").append(html(name)).append("\" value=\"").append(html(value))
                .append("\">\n"));
        body.append("<label>Team id <input name=\"team\" required pattern=\"T[A-Z0-9]+\" placeholder=\"T0NEW\">")
                .append("</label>\n")
                .append("<label>Name <input name=\"team_name\" placeholder=\"my workspace\"></label>\n")
                .append("<button type=\"submit\">Allow</button>\n</form>\n<p><a href=\"")
                .append(html(request.redirectTo("error", "access_denied")))
                .append("\">Cancel</a></p>\n");
        return page("Install " + request.app().appId(), body.toString());
    }

    private static boolean acceptable(String redirectUri) {
        try {
            URI uri = new URI(redirectUri);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html(title)
                + " · Slack emulator</title></head>\n<body>\n<h1>" + html(title) + "</h1>\n" + body
                + "</body></html>\n";
    }

    private static void send(HttpServerExchange exchange, int status, String html) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(html, StandardCharsets.UTF_8);
    }

    private static void redirect(HttpServerExchange exchange, String location) {
        exchange.setStatusCode(StatusCodes.FOUND);
        exchange.getResponseHeaders().put(Headers.LOCATION, location);
        // The location carries a one-time code.
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.endExchange();
    }

    private static String first(Deque<String> values) {
        return values == null ? null : values.peekFirst();
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** An acceptable authorize request: the app, the scopes it asks for, where to send the user back. */
    private record Authorize(EmulatedApp app, Set<String> scopes, String redirectUri, String state) {

        /** The arguments that carry the request from the page to its Allow links and form. */
        Map<String, String> arguments() {
            Map<String, String> arguments = new LinkedHashMap<>();
            arguments.put("client_id", app.clientId());
            arguments.put("scope", String.join(",", scopes));
            arguments.put("redirect_uri", redirectUri);
            arguments.put("state", state);
            return arguments;
        }

        /** The page's own link, relative to it, that allows the install in {@code teamId}. */
        String allowIn(String teamId) {
            StringBuilder link = new StringBuilder("authorize?");
            arguments().forEach((name, value) -> link.append(name).append('=').append(encode(value)).append('&'));
            return link.append("team=").append(encode(teamId)).toString();
        }

        /** {@code redirect_uri} with the outcome ({@code code} or {@code error}) and the state added to its query. */
        String redirectTo(String outcome, String value) {
            return redirectUri + (redirectUri.contains("?") ? "&" : "?")
                    + outcome + "=" + encode(value) + "&state=" + encode(state);
        }
    }
}
