package dev.callbridge.cli;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.ingress.IngressService;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bridge ingress}: the webhook receiver, a process of its own beside {@code bridge run}, with
 * the same {@code BRIDGE_*} settings; SIGTERM lets the webhooks under way get their answers.
 */
@Command(name = "ingress", mixinStandardHelpOptions = true,
        description = "Receive webhooks (CloudEvents, Twilio status callbacks, the voice-AI platform's) and write "
                + "them to telephony.call-events, answering each once Kafka has it.")
public final class IngressCommand implements Callable<Integer> {

    @Mixin
    ToolSettings settings = new ToolSettings();

    private final Map<String, String> environment;

    public IngressCommand() {
        this(System.getenv());
    }

    IngressCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        BridgeConfig config;
        try {
            config = settings.load(environment, false);
        } catch (BridgeConfigException e) {
            return ToolSettings.configurationError(e);
        }
        IngressService ingress = new IngressService(config.ingress());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ingress.stop();
            stopped.countDown();
        }, "ingress-shutdown"));
        ingress.start();
        stopped.await();
        return 0;
    }
}
