package dev.callbridge.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where configuration values come from: a properties file (keys such as {@code topics.partitions})
 * and environment variables, which win. Each key has one environment variable: {@code BRIDGE_}, then
 * the key in capitals with dots and dashes as underscores ({@code BRIDGE_TOPICS_PARTITIONS}).
 * Errors name both spellings of the key.
 */
public final class ConfigSource {

    public static final String ENV_PREFIX = "BRIDGE_";
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Map<String, String> values;

    private ConfigSource(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Reads the file (when given) and overlays the environment's {@code BRIDGE_*} variables.
     * Environment keys are matched back to dotted keys in lower case.
     */
    public static ConfigSource of(Map<String, String> environment, Path propertiesFile) {
        Map<String, String> values = new TreeMap<>();
        if (propertiesFile != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new BridgeConfigException("cannot read configuration file " + propertiesFile + ": "
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
            }
            file.stringPropertyNames().forEach(key -> values.put(normalise(key), file.getProperty(key).strip()));
        }
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && value != null) {
                values.put(normalise(name.substring(ENV_PREFIX.length())), value.strip());
            }
        });
        return new ConfigSource(values);
    }

    /** Keys compare without regard to case or to the choice of dot, dash or underscore. */
    static String normalise(String key) {
        return key.toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
    }

    /** The environment variable that sets {@code key}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static String describe(String key) {
        return envName(key) + " (" + key + ")";
    }

    public Optional<String> get(String key) {
        String value = values.get(normalise(key));
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    public String required(String key) {
        return get(key).orElseThrow(() -> new BridgeConfigException(describe(key) + " is required"));
    }

    public String string(String key, String fallback) {
        return get(key).orElse(fallback);
    }

    public int positiveInt(String key, int fallback) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Reported below with the key's name.
        }
        throw new BridgeConfigException(describe(key) + " must be a positive whole number, got '" + value.get() + "'");
    }

    /** A TCP port; 0 picks a free one. */
    public int port(String key, int fallback) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            int port = Integer.parseInt(value.get());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below with the key's name.
        }
        throw new BridgeConfigException(describe(key) + " must be a TCP port (0-65535, 0 for any free one), got '"
                + value.get() + "'");
    }

    /** A duration as ISO-8601 ({@code PT30S}) or a number with a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 7d}. */
    public Duration duration(String key, Duration fallback) {
        Optional<String> value = get(key);
        if (value.isEmpty()) {
            return fallback;
        }
        Duration parsed = parseDuration(value.get());
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            throw new BridgeConfigException(describe(key)
                    + " must be a positive duration such as 30s, 5m, 12h, 7d or PT30S, got '" + value.get() + "'");
        }
        return parsed;
    }

    /** Reads {@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 7d} or ISO-8601; {@code null} if neither. */
    public static Duration parseDuration(String text) {
        Matcher simple = SIMPLE_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return switch (simple.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Every value whose key starts with {@code prefix}, keyed by the rest (dotted, lower case). */
    public Map<String, String> withPrefix(String prefix) {
        String normalised = normalise(prefix.endsWith(".") ? prefix : prefix + ".");
        Map<String, String> found = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(normalised) && !value.isEmpty()) {
                found.put(key.substring(normalised.length()), value);
            }
        });
        return found;
    }
}
