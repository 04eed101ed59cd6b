package dev.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bridge's packages depend on each other without a cycle, so each can be read, tested and
 * changed from the bottom up. Reads every module's main sources beside this one and follows the
 * {@code dev.callbridge} names each file uses, in imports and in code.
 */
class PackageCyclesTest {

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern USED = Pattern.compile("\\b(dev\\.callbridge(?:\\.[a-z]\\w*)+)\\.[A-Z]");

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Map<String, Set<String>> uses = packageUses(Path.of("..").toAbsolutePath().normalize());

        assertThat(uses).as("packages read").containsKeys("dev.callbridge.dispatch", "dev.callbridge.model.event");
        assertThat(cycles(uses)).as("package cycles").isEmpty();
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> uses = Map.of(
                "a", Set.of("b"),
                "b", Set.of("c"),
                "c", Set.of("a"),
                "d", Set.of("a"));

        assertThat(cycles(uses)).containsExactly(List.of("a", "b", "c"));
    }

    private static Map<String, Set<String>> packageUses(Path root) {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path sources : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(sources)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        String text = Files.readString(file);
                        Matcher declared = PACKAGE.matcher(text);
                        if (!declared.find()) {
                            continue;
                        }
                        Set<String> used = uses.computeIfAbsent(declared.group(1), p -> new TreeSet<>());
                        Matcher names = USED.matcher(text);
                        while (names.find()) {
                            if (!names.group(1).equals(declared.group(1))) {
                                used.add(names.group(1));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return uses;
    }

    /** The strongly connected groups of more than one package (Tarjan), each sorted. */
    private static List<List<String>> cycles(Map<String, Set<String>> uses) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> lowLink = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<List<String>> found = new ArrayList<>();
        for (String start : new TreeSet<>(uses.keySet())) {
            if (!index.containsKey(start)) {
                connect(start, uses, index, lowLink, stack, found);
            }
        }
        return found;
    }

    private static void connect(String node, Map<String, Set<String>> uses, Map<String, Integer> index,
            Map<String, Integer> lowLink, Deque<String> stack, List<List<String>> found) {
        index.put(node, index.size());
        lowLink.put(node, index.get(node));
        stack.push(node);
        for (String next : uses.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, uses, index, lowLink, stack, found);
                lowLink.put(node, Math.min(lowLink.get(node), lowLink.get(next)));
            } else if (stack.contains(next)) {
                lowLink.put(node, Math.min(lowLink.get(node), index.get(next)));
            }
        }
        if (lowLink.get(node).equals(index.get(node))) {
            List<String> group = new ArrayList<>();
            String member;
            do {
                member = stack.pop();
                group.add(member);
            } while (!member.equals(node));
            if (group.size() > 1) {
                found.add(group.stream().sorted().toList());
            }
        }
    }
}
