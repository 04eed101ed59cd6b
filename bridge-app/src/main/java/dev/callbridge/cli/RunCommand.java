package dev.callbridge.cli;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import dev.callbridge.service.BridgeService;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bridge run}: the production entry point. All settings come from {@code BRIDGE_*}
 * environment variables and an optional properties file; SIGTERM stops it gracefully.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the bridge until stopped (SIGTERM or Ctrl-C stop it gracefully).")
public final class RunCommand implements Callable<Integer> {

    /** Exit code when the configuration is wrong, so a supervisor can tell it from a crash. */
    static final int BAD_CONFIGURATION = 78;

    @Mixin
    ToolSettings settings = new ToolSettings();

    private final Map<String, String> environment;

    public RunCommand() {
        this(System.getenv());
    }

    RunCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        BridgeConfig config;
        try {
            config = settings.load(environment, true);
        } catch (BridgeConfigException e) {
            return ToolSettings.configurationError(e);
        }
        BridgeService service = new BridgeService(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stop();
            stopped.countDown();
        }, "bridge-shutdown"));
        try {
            service.start();
        } catch (BridgeConfigException e) {
            System.err.println("bridge: " + e.getMessage());
            service.stop();
            return BAD_CONFIGURATION;
        }
        stopped.await();
        return 0;
    }
}
