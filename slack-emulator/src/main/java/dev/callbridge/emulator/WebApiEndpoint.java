package dev.callbridge.emulator;

import dev.callbridge.emulator.FaultInjector.Decision;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;

/**
 * {@code /api/<method>}: Slack's Web API. A request is read, authenticated, given its injected fault,
 * checked against its scope and budget, then applied; answers to an authenticated request carry the
 * token's scopes in {@code X-OAuth-Scopes}, as Slack's do. {@code oauth.v2.access} and
 * {@code apps.connections.open}, which an app calls with its own credentials rather than a
 * workspace's token, are applied at once, without faults or budgets. Requests run on Undertow's worker pool; a slow answer waits on the I/O thread's
 * timer, so it holds no worker while it waits.
 */
final class WebApiEndpoint implements HttpHandler {

    private static final HttpString OAUTH_SCOPES = new HttpString("X-OAuth-Scopes");

    private final RequestBodyReader reader = new RequestBodyReader();
    private final Tokens tokens;
    private final FaultInjector faults;
    private final RateLimiter rateLimiter;
    private final WebApiMethods methods;
    private final RequestStats stats;
    private final RequestListener listener;

    WebApiEndpoint(Tokens tokens, FaultInjector faults, RateLimiter rateLimiter, WebApiMethods methods,
            RequestStats stats, RequestListener listener) {
        this.tokens = tokens;
        this.faults = faults;
        this.rateLimiter = rateLimiter;
        this.methods = methods;
        this.stats = stats;
        this.listener = listener;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        Instant receivedAt = Instant.now();
        exchange.startBlocking();
        Optional<ApiMethod> method = ApiMethod.find(exchange.getRelativePath().replaceFirst("^/", ""));
        if (method.isEmpty()) {
            write(exchange, ApiAnswer.error("unknown_method"));
            return;
        }
        stats.received(method.get());
        serve(exchange, method.get(), receivedAt);
    }

    private void serve(HttpServerExchange exchange, ApiMethod method, Instant receivedAt) {
        ApiRequest request;
        TokenGrant grant;
        try {
            request = reader.read(exchange, method);
            listener.received(method.apiName(), request.paramsWithoutSecrets(), receivedAt);
            if (method.takesAppCredentials()) {
                answer(exchange, method, methods.apply(request, null), null);
                return;
            }
            grant = tokens.authenticate(request.token());
            stats.authenticated(grant.teamId(), method);
        } catch (MethodError e) {
            answer(exchange, method, ApiAnswer.error(e), null);
            return;
        }
        Decision decision = faults.next(grant.teamId(), method);
        switch (decision.fault()) {
            case RATE_LIMIT_BURST -> answer(exchange, method,
                    ApiAnswer.rateLimited(decision.settings().rateLimitRetryAfterSeconds()), grant);
            case SERVER_ERROR -> answer(exchange, method, ApiAnswer.serviceUnavailable(), grant);
            case DROP -> {
                if (decision.settings().dropAfterApply()) {
                    // Applied, and then the answer is lost with the connection.
                    decide(request, grant);
                }
                stats.dropped(method, grant.teamId());
                IoUtils.safeClose(exchange.getConnection());
            }
            case SLOW -> answerLater(exchange, method, decide(request, grant), grant, decision.settings().slowMillis());
            case NONE -> answer(exchange, method, decide(request, grant), grant);
        }
    }

    private ApiAnswer decide(ApiRequest request, TokenGrant grant) {
        Optional<String> missingScope = request.method().requiredScope()
                .filter(scope -> !grant.scopes().contains(scope));
        if (missingScope.isPresent()) {
            return ApiAnswer.error(new MethodError("missing_scope", Map.of(
                    "needed", missingScope.get(),
                    "provided", String.join(",", new TreeSet<>(grant.scopes())))));
        }
        OptionalInt retryAfter =
                rateLimiter.admit(grant.teamId(), request.method(), request.optional("channel").orElse(""));
        if (retryAfter.isPresent()) {
            return ApiAnswer.rateLimited(retryAfter.getAsInt());
        }
        return methods.apply(request, grant);
    }

    private void answerLater(HttpServerExchange exchange, ApiMethod method, ApiAnswer answer, TokenGrant grant,
            long delayMillis) {
        stats.delayed(method, grant.teamId());
        // Keeps the exchange open past this handler; the timer hands the answer back to a worker.
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> exchange.getIoThread().executeAfter(
                () -> exchange.dispatch(later -> answer(later, method, answer, grant)),
                delayMillis, TimeUnit.MILLISECONDS));
    }

    /** @param grant the token's grant, whose scopes the answer names; {@code null} before authentication */
    private void answer(HttpServerExchange exchange, ApiMethod method, ApiAnswer answer, TokenGrant grant) {
        stats.answered(method, answer, grant == null ? null : grant.teamId());
        if (grant != null) {
            exchange.getResponseHeaders().put(OAUTH_SCOPES, String.join(",", new TreeSet<>(grant.scopes())));
        }
        write(exchange, answer);
    }

    private static void write(HttpServerExchange exchange, ApiAnswer answer) {
        exchange.setStatusCode(answer.status());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        if (answer.retryAfterSeconds() > 0) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, answer.retryAfterSeconds());
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(EmulatorJson.write(answer.body())));
    }
}
