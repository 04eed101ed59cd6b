package dev.callbridge.devkit.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The repository's deployment files as the deployment tests read them: YAML documents, module poms,
 * and the command-line tools that can check them when this machine has them.
 */
final class DeployFiles {

    static final Path ROOT = repositoryRoot();
    static final Path DEPLOY = ROOT.resolve("deploy");

    private static final YAMLMapper YAML = new YAMLMapper();

    private DeployFiles() {
    }

    /** Every document of a YAML file or stream, skipping empty ones. */
    static List<JsonNode> yamlDocuments(String yaml) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            List<JsonNode> nonEmpty = new ArrayList<>();
            documents.forEachRemaining(document -> {
                if (document != null && !document.isMissingNode() && !document.isNull()) {
                    nonEmpty.add(document);
                }
            });
            return nonEmpty;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> yamlDocuments(Path file) {
        return yamlDocuments(read(file));
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> documents = yamlDocuments(file);
        if (documents.size() != 1) {
            throw new IllegalStateException(file + " holds " + documents.size() + " YAML documents, expected one");
        }
        return documents.get(0);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The main class a module's jar manifest names (maven-jar-plugin's {@code mainClass}), if any. */
    static Optional<String> manifestMainClass(String module) {
        try {
            Document pom = pom(ROOT.resolve(module));
            String mainClass = XPathFactory.newInstance().newXPath().evaluate(
                    "/project/build/plugins/plugin[artifactId='maven-jar-plugin']"
                            + "/configuration/archive/manifest/mainClass", pom).strip();
            return mainClass.isEmpty() ? Optional.empty() : Optional.of(mainClass);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the pom of module " + module, e);
        }
    }

    /** The modules the parent pom builds. */
    static List<String> modules() {
        try {
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(
                    "/project/modules/module", pom(ROOT), XPathConstants.NODESET);
            List<String> modules = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                modules.add(nodes.item(i).getTextContent().strip());
            }
            return modules;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the parent pom", e);
        }
    }

    private static Document pom(Path moduleDir) throws Exception {
        // Not namespace-aware, so XPath names the POM's elements without a prefix.
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(moduleDir.resolve("pom.xml").toFile());
    }

    static boolean onPath(String executable) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, executable))
                .anyMatch(Files::isExecutable);
    }

    /** What a tool printed (standard output and error together) and how it exited. */
    record ToolRun(int exitCode, String output) {
    }

    /** Runs a tool in the repository root; fails the test if it does not finish within a minute. */
    static ToolRun run(String... command) {
        String commandLine = String.join(" ", command);
        Path output = null;
        try {
            output = Files.createTempFile("deploy-tool", ".out");
            Process process = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(commandLine + " did not finish within a minute");
            }
            return new ToolRun(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + commandLine, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + commandLine, e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (a directory with mvnw and deploy/) above "
                + Path.of("").toAbsolutePath());
    }
}
