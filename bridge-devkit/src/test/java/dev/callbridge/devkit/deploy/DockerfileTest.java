package dev.callbridge.devkit.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callbridge.devkit.deploy.Dockerfile.Instruction;
import dev.callbridge.devkit.deploy.Dockerfile.Stage;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/Dockerfile builds the distributions in one stage and runs each in an image of its own, as a
 * fixed non-root user, with a main class that exists. Building the images needs a Docker engine;
 * this checks what can be checked without one.
 */
class DockerfileTest {

    private static final Pattern NON_ROOT_NUMERIC_USER = Pattern.compile("[1-9][0-9]*(:[1-9][0-9]*)?");

    private final Dockerfile dockerfile = Dockerfile.read();

    @Test
    void buildsInOneStageAndRunsOnSlimmerOnesWithTheBridgeAsTheDefaultTarget() {
        List<Stage> stages = dockerfile.stages();

        assertThat(stages).extracting(Stage::name).contains("build", "bridge", "slack-emulator", "provider-emulator");
        assertThat(stages.get(stages.size() - 1).name()).as("the last stage is what a plain docker build makes")
                .isEqualTo("bridge");
        assertThat(dockerfile.stage("build").base()).contains("jdk");
        for (String image : List.of("bridge", "slack-emulator", "provider-emulator")) {
            assertThat(baseImage(dockerfile.stage(image))).as(image + " runs on a JRE").contains("jre");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bridge", "slack-emulator", "provider-emulator"})
    void eachImageRunsAsAFixedNonRootUser(String image) {
        // Numeric, so that Kubernetes' runAsNonRoot can check it without the image's /etc/passwd.
        assertThat(dockerfile.user(dockerfile.stage(image)))
                .hasValueSatisfying(user -> assertThat(user).matches(NON_ROOT_NUMERIC_USER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bridge", "slack-emulator", "provider-emulator"})
    void eachImageRunsTheMainClassOfTheModuleItsJarComesFrom(String image) throws Exception {
        Stage stage = dockerfile.stage(image);
        List<String> entrypoint = stage.last("ENTRYPOINT").orElseThrow().execForm();
        assertThat(entrypoint).as("ENTRYPOINT of " + image).startsWith("java", "-jar");
        Path jar = Path.of(entrypoint.get(2));
        String module = jar.getFileName().toString().replaceFirst("\\.jar$", "");

        assertThat(DeployFiles.modules()).as("the jar is named after its module").contains(module);
        assertThat(buildCommands()).as("the build stage copies the module's jar and its lib/")
                .containsPattern("cp " + module + "/target/" + module + "-\\*\\.jar \\S+/" + module + "\\.jar")
                .contains(module + "/target/lib");
        assertThat(stage.last("WORKDIR").map(Instruction::arguments)).as("the jar sits in the working directory")
                .hasValue(jar.getParent().toString());
        String mainClass = DeployFiles.manifestMainClass(module).orElseThrow(
                () -> new AssertionError(module + "'s pom names no Main-Class for its jar"));
        Method main = Class.forName(mainClass, false, getClass().getClassLoader()).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).as(mainClass + ".main is static").isTrue();
    }

    @Test
    void theBridgeKeepsItsStateInADirectoryItsUserOwns() {
        Stage bridge = dockerfile.stage("bridge");
        String stateDir = dockerfile.env(bridge).get("BRIDGE_STATE_DIR");
        String uid = dockerfile.user(bridge).orElseThrow().split(":")[0];

        assertThat(stateDir).isNotBlank();
        assertThat(bridge.all("RUN")).extracting(Instruction::arguments)
                .anySatisfy(run -> assertThat(run).contains(stateDir).containsPattern("(-o |chown )" + uid + "\\b"));
    }

    @Test
    void theBuildStageHasEveryModuleAndTheContextLetsItThrough() {
        Stage build = dockerfile.stage("build");
        List<String> copied = build.all("COPY").stream()
                .flatMap(copy -> {
                    String[] parts = copy.arguments().split("\\s+");
                    return Stream.of(parts).limit(parts.length - 1L);
                })
                .toList();
        List<PathMatcher> letThrough = DeployFiles.read(DeployFiles.ROOT.resolve(".dockerignore")).lines()
                .map(String::strip)
                .filter(line -> line.startsWith("!"))
                .map(line -> FileSystems.getDefault().getPathMatcher("glob:" + stripSlash(line.substring(1))))
                .toList();

        for (String module : DeployFiles.modules()) {
            assertThat(copied).as("the build stage copies module " + module)
                    .contains(module + "/pom.xml", module + "/src/");
        }
        for (String source : copied) {
            assertThat(Files.exists(DeployFiles.ROOT.resolve(source))).as(source + " exists").isTrue();
            assertThat(letThrough).as(".dockerignore lets " + source + " into the build context")
                    .anyMatch(matcher -> matcher.matches(Path.of(stripSlash(source))));
        }
    }

    @Test
    void everyBridgeVariableTheImageSetsIsAConfigurationKey() {
        ConfigurationVariables documented = ConfigurationVariables.documented();

        assertThat(dockerfile.env(dockerfile.stage("bridge")).keySet())
                .filteredOn(name -> name.startsWith("BRIDGE_"))
                .allMatch(documented::isKnown, "is a documented BRIDGE_* variable");
    }

    private String baseImage(Stage stage) {
        return dockerfile.parent(stage).map(this::baseImage).orElse(stage.base());
    }

    private String buildCommands() {
        return String.join("\n", dockerfile.stage("build").all("RUN").stream().map(Instruction::arguments).toList());
    }

    private static String stripSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
