package dev.callbridge.dispatch;

import dev.callbridge.slack.SdkSlackClient;
import dev.callbridge.slack.SlackTokens;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A dispatcher in a JVM of its own, so a test can kill it with SIGKILL and start another: arguments
 * are the bootstrap servers, the topic prefix and the Slack base URL; the token comes from
 * {@code SLACK_TOKEN} and serves {@link RunningBridge}'s default workspace. It uses static group
 * membership, as a restarted pod would.
 */
public final class DispatcherProcess {

    private DispatcherProcess() {}

    public static void main(String[] args) throws InterruptedException {
        String bootstrap = args[0];
        String prefix = args[1];
        String slackUrl = args[2];
        DispatcherConfig config = RunningBridge.dispatcherConfig(bootstrap, prefix)
                .withGroupId(prefix + "dispatcher")
                .withBudgets(Map.of(), new Budget(60_000, 100))
                .withConsumerOverrides(Map.of(
                        "group.instance.id", prefix + "dispatcher-0",
                        "session.timeout.ms", 10_000));
        SdkSlackClient slack = new SdkSlackClient(slackUrl,
                SlackTokens.fromEnvironment(System.getenv()).withDefaultTeamId(RunningBridge.TEAM), Duration.ofSeconds(5));
        Dispatcher dispatcher = new Dispatcher(config, slack, Clock.systemUTC());
        dispatcher.start();
        System.out.println("dispatcher started");
        new CountDownLatch(1).await();
    }
}
