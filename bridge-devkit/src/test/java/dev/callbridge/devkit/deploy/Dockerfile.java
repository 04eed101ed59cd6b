package dev.callbridge.devkit.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read as its build stages and their instructions; enough of the format for the
 * deployment tests (continuation lines, comments, exec-form arguments, {@code ENV k=v} pairs), not a
 * full parser.
 */
record Dockerfile(List<Dockerfile.Stage> stages) {

    static final Path PATH = DeployFiles.DEPLOY.resolve("Dockerfile");

    private static final Pattern FROM = Pattern.compile("(?i)(?:--\\S+\\s+)*(\\S+)(?:\\s+AS\\s+(\\S+))?");
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)");

    /** One instruction: its keyword in capitals and the rest of its (joined) lines. */
    record Instruction(String keyword, String arguments) {

        /** The arguments of an exec-form instruction such as {@code ENTRYPOINT ["java", "-jar", ...]}. */
        List<String> execForm() {
            try {
                return new ObjectMapper().readValue(arguments, new TypeReference<List<String>>() { });
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(keyword + " is not in exec form: " + arguments, e);
            }
        }
    }

    /** A build stage: the image or stage it starts from, its name, and its instructions. */
    record Stage(String base, String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> matching = all(keyword);
            return matching.isEmpty() ? Optional.empty() : Optional.of(matching.get(matching.size() - 1));
        }
    }

    static Dockerfile read() {
        return parse(DeployFiles.read(PATH));
    }

    static Dockerfile parse(String text) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        StringBuilder pending = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String instruction = pending.toString().strip();
            pending.setLength(0);
            String[] parts = instruction.split("\\s+", 2);
            Instruction parsed = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (parsed.keyword().equals("FROM")) {
                Matcher from = FROM.matcher(parsed.arguments());
                if (!from.matches()) {
                    throw new IllegalStateException("cannot read FROM " + parsed.arguments());
                }
                current = new ArrayList<>();
                stages.add(new Stage(from.group(1), from.group(2), current));
            } else if (current == null) {
                if (!parsed.keyword().equals("ARG")) {
                    throw new IllegalStateException(parsed.keyword() + " before the first FROM");
                }
            } else {
                current.add(parsed);
            }
        }
        return new Dockerfile(List.copyOf(stages));
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("the Dockerfile has no stage named " + name));
    }

    Optional<Stage> parent(Stage stage) {
        return stages.stream().filter(s -> stage.base().equals(s.name())).findFirst();
    }

    /** The user the stage's image runs as: its last USER, else its parent stage's. */
    Optional<String> user(Stage stage) {
        return stage.last("USER").map(Instruction::arguments)
                .or(() -> parent(stage).flatMap(this::user));
    }

    /** The environment the stage's image sets, its parent stages' included. */
    Map<String, String> env(Stage stage) {
        Map<String, String> env = new LinkedHashMap<>(parent(stage).map(this::env).orElse(Map.of()));
        for (Instruction instruction : stage.all("ENV")) {
            Matcher pair = ENV_PAIR.matcher(instruction.arguments());
            while (pair.find()) {
                env.put(pair.group(1), pair.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        return env;
    }
}
