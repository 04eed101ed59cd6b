package dev.callbridge.cli;

import dev.callbridge.config.BridgeConfig;
import dev.callbridge.config.BridgeConfigException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where every {@code bridge} command reads its settings: {@code BRIDGE_*} variables over an optional
 * properties file, so the operators' commands find the same cluster, topics and tokens as
 * {@code bridge run}.
 */
final class ToolSettings {

    /** Exit code when a tool cannot do its work for now (the call is busy); try again. */
    static final int TRY_AGAIN = 75;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The bridge's properties file; BRIDGE_* environment variables override its keys.")
    Path configFile;

    BridgeConfig load(Map<String, String> environment, boolean tokenRequired) {
        return BridgeConfig.load(environment, configFile, tokenRequired);
    }

    static int configurationError(BridgeConfigException e) {
        System.err.println("bridge: configuration error: " + e.getMessage());
        return RunCommand.BAD_CONFIGURATION;
    }
}
