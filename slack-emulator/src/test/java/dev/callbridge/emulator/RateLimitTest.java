package dev.callbridge.emulator;

import static dev.callbridge.emulator.SlackSdk.OTHER_TEAM_TOKEN;
import static dev.callbridge.emulator.SlackSdk.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Budgets per (workspace, method) and per channel for {@code chat.postMessage}: over budget the SDK
 * sees HTTP 429 with {@code Retry-After} and {@code ratelimited}, and the count is exact.
 */
class RateLimitTest {

    private SlackEmulator emulator;

    @AfterEach
    void stopEmulator() {
        if (emulator != null) {
            emulator.stop();
        }
    }

    @Test
    void theRequestPastTheTierBudgetGets429WithRetryAfter() throws Exception {
        emulator = SlackSdk.emulatorBuilder().rateLimits(RateLimits.unlimited())
                .tier(ApiMethod.CALLS_INFO, Tier.TIER_2).build().start();
        MethodsClient methods = SlackSdk.slack(emulator).methods(TOKEN);
        for (int i = 0; i < Tier.TIER_2.perMinute(); i++) {
            assertThat(methods.callsInfo(r -> r.id("R1")).getError()).isEqualTo("invalid_call_id");
        }

        SlackApiException refused =
                catchThrowableOfType(SlackApiException.class, () -> methods.callsInfo(r -> r.id("R1")));

        assertThat(refused.getResponse().code()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.getResponse().header("Retry-After"))).isBetween(1, 60);
        assertThat(refused.getError().getError()).isEqualTo("ratelimited");
        assertThat(emulator.client().stats().of(ApiMethod.CALLS_INFO))
                .satisfies(counts -> assertThat(counts.requests()).isEqualTo(21))
                .satisfies(counts -> assertThat(counts.rateLimited()).isEqualTo(1));
    }

    @Test
    void budgetsAreCountedPerWorkspaceAndPerMethod() throws Exception {
        emulator = SlackSdk.emulatorBuilder().rateLimits(RateLimits.unlimited())
                .tier(ApiMethod.CALLS_INFO, Tier.TIER_1).tier(ApiMethod.AUTH_TEST, Tier.TIER_1).build().start();
        Slack slack = SlackSdk.slack(emulator);
        slack.methods(TOKEN).callsInfo(r -> r.id("R1"));

        assertThat(catchThrowableOfType(SlackApiException.class, () -> slack.methods(TOKEN).callsInfo(r -> r.id("R1"))))
                .isNotNull();
        assertThat(slack.methods(TOKEN).authTest(r -> r).isOk()).isTrue();
        assertThat(slack.methods(OTHER_TEAM_TOKEN).callsInfo(r -> r.id("R1")).getError()).isEqualTo("invalid_call_id");
    }

    @Test
    void statsCountEachWorkspacesRequestsAnd429sApart() throws Exception {
        emulator = SlackSdk.emulatorBuilder().rateLimits(RateLimits.unlimited())
                .rateLimit(ApiMethod.CALLS_INFO, RateLimit.perMinute(2)).build().start();
        Slack slack = SlackSdk.slack(emulator);
        for (int i = 0; i < 3; i++) {
            catchThrowableOfType(SlackApiException.class, () -> slack.methods(TOKEN).callsInfo(r -> r.id("R1")));
        }
        slack.methods(OTHER_TEAM_TOKEN).callsInfo(r -> r.id("R1"));
        slack.methods(OTHER_TEAM_TOKEN).authTest(r -> r);
        slack.methods("xoxb-nobody").authTest(r -> r);

        EmulatorStats stats = emulator.client().stats();

        assertThat(stats.of(SlackSdk.TEAM, ApiMethod.CALLS_INFO))
                .isEqualTo(new MethodCounts(3, 0, 1, 0, 0, 0, Map.of("invalid_call_id", 2L)));
        assertThat(stats.of(SlackSdk.OTHER_TEAM, ApiMethod.CALLS_INFO).requests()).isEqualTo(1);
        assertThat(stats.of(SlackSdk.OTHER_TEAM, ApiMethod.CALLS_INFO).rateLimited()).isZero();
        assertThat(stats.of(SlackSdk.OTHER_TEAM, ApiMethod.AUTH_TEST).ok()).isEqualTo(1);
        assertThat(stats.workspaces()).as("an unknown token names no workspace").containsOnlyKeys(SlackSdk.TEAM,
                SlackSdk.OTHER_TEAM);
        assertThat(stats.of(ApiMethod.AUTH_TEST).requests()).isEqualTo(2);

        emulator.client().reset();
        assertThat(emulator.client().stats().workspaces()).isEmpty();
    }

    @Test
    void postMessageAllowsOneMessagePerSecondPerChannel() throws Exception {
        emulator = SlackSdk.startEmulator(RateLimits.slack());
        MethodsClient methods = SlackSdk.slack(emulator).methods(TOKEN);
        assertThat(methods.chatPostMessage(r -> r.channel("C0CALLS").text("one")).isOk()).isTrue();

        SlackApiException refused = catchThrowableOfType(SlackApiException.class,
                () -> methods.chatPostMessage(r -> r.channel("C0CALLS").text("two")));

        assertThat(refused.getResponse().code()).isEqualTo(429);
        assertThat(refused.getResponse().header("Retry-After")).isEqualTo("1");
        assertThat(methods.chatPostMessage(r -> r.channel("C0OTHER").text("three")).isOk()).isTrue();
    }

    @Test
    void aWindowReopensOnceItHasPassed() throws Exception {
        emulator = SlackSdk.emulatorBuilder().rateLimits(RateLimits.unlimited())
                .rateLimit(ApiMethod.AUTH_TEST, RateLimit.perSecond(2)).build().start();
        MethodsClient methods = SlackSdk.slack(emulator).methods(TOKEN);
        methods.authTest(r -> r);
        methods.authTest(r -> r);
        assertThat(catchThrowableOfType(SlackApiException.class, () -> methods.authTest(r -> r))).isNotNull();

        Thread.sleep(1_100);

        assertThat(methods.authTest(r -> r).isOk()).isTrue();
    }

    @Test
    void concurrentRequestsAreCountedExactly() throws Exception {
        int budget = 25;
        int requests = 400;
        emulator = SlackSdk.emulatorBuilder().rateLimits(RateLimits.unlimited())
                .rateLimit(ApiMethod.AUTH_TEST, RateLimit.perMinute(budget)).build().start();
        MethodsClient methods = SlackSdk.slack(emulator).methods(TOKEN);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            calls.add(() -> {
                try {
                    return methods.authTest(r -> r).isOk() ? 200 : 0;
                } catch (SlackApiException e) {
                    return e.getResponse().code();
                }
            });
        }

        List<Integer> statuses = new ArrayList<>();
        try {
            for (Future<Integer> status : pool.invokeAll(calls)) {
                statuses.add(status.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(statuses).filteredOn(status -> status == 200).hasSize(budget);
        assertThat(statuses).filteredOn(status -> status == 429).hasSize(requests - budget);
        assertThat(emulator.client().stats().of(ApiMethod.AUTH_TEST))
                .satisfies(counts -> assertThat(counts.ok()).isEqualTo(budget))
                .satisfies(counts -> assertThat(counts.rateLimited()).isEqualTo(requests - budget));
    }

    @Test
    void budgetsChangeWhileRunningThroughTheControlApi() throws Exception {
        emulator = SlackSdk.startEmulator(RateLimits.unlimited());
        MethodsClient methods = SlackSdk.slack(emulator).methods(TOKEN);

        RateLimits inForce =
                emulator.client().rateLimits(RateLimits.unlimited().with(ApiMethod.AUTH_TEST, Tier.TIER_1));

        assertThat(inForce.forMethod(ApiMethod.AUTH_TEST)).contains(RateLimit.perMinute(1));
        methods.authTest(r -> r);
        assertThat(catchThrowableOfType(SlackApiException.class, () -> methods.authTest(r -> r))).isNotNull();
    }
}
