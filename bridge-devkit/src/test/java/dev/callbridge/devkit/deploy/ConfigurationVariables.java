package dev.callbridge.devkit.deploy;

import dev.callbridge.config.ConfigSource;
import dev.callbridge.model.op.SlackMethod;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code BRIDGE_*} variables that docs/configuration.md documents: one per key of its tables
 * (named as {@link ConfigSource#envName} names them), the pass-through prefixes such as
 * {@code kafka.streams.}, and the variables it names outright ({@code BRIDGE_LOG_FORMAT}).
 */
final class ConfigurationVariables {

    private static final Pattern TABLE_KEY = Pattern.compile("(?m)^\\| `([a-z][a-zA-Z0-9.<>-]*)` \\|");
    private static final Pattern NAMED_VARIABLE = Pattern.compile("\\b" + ConfigSource.ENV_PREFIX + "[A-Z0-9_]+\\b");
    private static final String PER_METHOD = "<method>";

    private final Set<String> variables = new HashSet<>();
    private final Set<String> prefixes = new HashSet<>();

    private ConfigurationVariables(String reference) {
        Matcher keys = TABLE_KEY.matcher(reference);
        while (keys.find()) {
            String key = keys.group(1);
            if (key.endsWith(PER_METHOD)) {
                String stem = key.substring(0, key.length() - PER_METHOD.length());
                Arrays.stream(SlackMethod.values()).forEach(method -> variables.add(ConfigSource.envName(stem + method.apiName())));
            } else if (key.endsWith(".")) {
                prefixes.add(ConfigSource.envName(key));
            } else {
                variables.add(ConfigSource.envName(key));
            }
        }
        Matcher named = NAMED_VARIABLE.matcher(reference);
        while (named.find()) {
            variables.add(named.group());
        }
    }

    static ConfigurationVariables documented() {
        return new ConfigurationVariables(DeployFiles.read(DeployFiles.ROOT.resolve("docs/configuration.md")));
    }

    /** Whether {@code name} sets a documented key (or passes a setting through to Kafka). */
    boolean isKnown(String name) {
        return variables.contains(name)
                || prefixes.stream().anyMatch(prefix -> name.startsWith(prefix) && name.length() > prefix.length());
    }
}
