package dev.callbridge.emulator;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.model.CallParticipant;
import com.slack.api.util.http.SlackHttpClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * Load check of the Slack emulator, run by hand, never by the test suite: {@code threads} threads
 * drive call lifecycles (calls.add, calls.participants.add, calls.info, calls.end) against one
 * emulator in this JVM and print the rate of answered requests. Client and server share the
 * machine, so the figure is a floor for the server alone.
 *
 * <p>Arguments: {@code [requests] [threads] [sdk|http]}. {@code sdk} (the default) sends through the
 * official Slack SDK, as the bridge does; {@code http} sends the same form bodies through the JDK's
 * HTTP client, which costs the shared CPU less and so shows more of the server's own capacity.
 *
 * <pre>
 * mvn -q -B -pl slack-emulator test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.callbridge.emulator.EmulatorLoadBenchmark -Dexec.args="200000 64 sdk"
 * </pre>
 */
public final class EmulatorLoadBenchmark {

    private static final String TOKEN = "xoxb-benchmark";
    private static final int REQUESTS_PER_CALL = 4;
    private static final Pattern CALL_ID = Pattern.compile("\"id\":\"(R[0-9A-Z]+)\"");

    private EmulatorLoadBenchmark() {}

    /** One call lifecycle; returns how many of its requests were not answered ok. */
    private interface Lifecycle {
        int run(String externalUniqueId) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        String client = args.length > 2 ? args[2] : "sdk";
        try (SlackEmulator emulator = SlackEmulator.builder().token(TOKEN, "T0BENCH")
                .rateLimits(RateLimits.unlimited()).build().start()) {
            Lifecycle lifecycle = switch (client) {
                case "sdk" -> sdkLifecycle(emulator, threads);
                case "http" -> httpLifecycle(emulator);
                default -> throw new IllegalArgumentException("client must be sdk or http, was " + client);
            };
            run(lifecycle, Math.max(requests / 10, REQUESTS_PER_CALL * threads), threads);
            emulator.client().reset();

            long start = System.nanoTime();
            long failures = run(lifecycle, requests, threads);
            double seconds = (System.nanoTime() - start) / 1e9;

            long counted = emulator.client().stats().methods().values().stream()
                    .mapToLong(MethodCounts::requests).sum();
            System.out.printf("%s client: %d requests (%d counted by the emulator, %d not ok) from %d threads"
                    + " in %.2f s: %.0f requests/s%n", client, requests, counted, failures, threads, seconds,
                    requests / seconds);
        }
    }

    /** Sends {@code requests} requests, in whole call lifecycles; returns how many were not ok. */
    private static long run(Lifecycle lifecycle, int requests, int threads) throws Exception {
        AtomicLong nextCall = new AtomicLong();
        long calls = requests / REQUESTS_PER_CALL;
        AtomicLong failures = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (long n = nextCall.getAndIncrement(); n < calls; n = nextCall.getAndIncrement()) {
                        failures.addAndGet(lifecycle.run("bench-" + n));
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        return failures.get();
    }

    private static Lifecycle sdkLifecycle(SlackEmulator emulator, int threads) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(emulator.baseUrl());
        config.setStatsEnabled(false);
        // A pool as large as the thread count, so connections are reused rather than churned.
        OkHttpClient okHttp = SlackHttpClient.buildOkHttpClient(config).newBuilder()
                .connectionPool(new ConnectionPool(threads, 1, TimeUnit.MINUTES))
                .build();
        SlackHttpClient http = new SlackHttpClient(okHttp);
        http.setConfig(config);
        MethodsClient methods = Slack.getInstance(config, http).methods(TOKEN);
        CallParticipant caller = CallParticipant.builder().slackId("U0CALLER").build();
        return externalUniqueId -> {
            var added = methods.callsAdd(r -> r.externalUniqueId(externalUniqueId)
                    .joinUrl("https://pbx.example/join/" + externalUniqueId).createdBy("U0CREATOR"));
            if (!added.isOk()) {
                return REQUESTS_PER_CALL;
            }
            String id = added.getCall().getId();
            int failures = methods.callsParticipantsAdd(r -> r.id(id).users(List.of(caller))).isOk() ? 0 : 1;
            failures += methods.callsInfo(r -> r.id(id)).isOk() ? 0 : 1;
            failures += methods.callsEnd(r -> r.id(id).duration(60)).isOk() ? 0 : 1;
            return failures;
        };
    }

    private static Lifecycle httpLifecycle(SlackEmulator emulator) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String users = URLEncoder.encode("[{\"slack_id\":\"U0CALLER\"}]", StandardCharsets.UTF_8);
        return externalUniqueId -> {
            String added = post(http, emulator, "calls.add", "external_unique_id=" + externalUniqueId
                    + "&join_url=https%3A%2F%2Fpbx.example%2Fjoin%2F" + externalUniqueId + "&created_by=U0CREATOR");
            Matcher id = CALL_ID.matcher(added);
            if (!id.find()) {
                return REQUESTS_PER_CALL;
            }
            int failures = ok(post(http, emulator, "calls.participants.add", "id=" + id.group(1) + "&users=" + users));
            failures += ok(post(http, emulator, "calls.info", "id=" + id.group(1)));
            failures += ok(post(http, emulator, "calls.end", "id=" + id.group(1) + "&duration=60"));
            return failures;
        };
    }

    private static String post(HttpClient http, SlackEmulator emulator, String method, String form) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + method))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int ok(String answer) {
        return answer.startsWith("{\"ok\":true") ? 0 : 1;
    }
}
