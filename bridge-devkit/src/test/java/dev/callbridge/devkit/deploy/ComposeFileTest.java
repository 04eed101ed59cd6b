package dev.callbridge.devkit.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callbridge.emulator.TokenGrant;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml runs a single-node KRaft broker, the Slack emulator, the bridge and bridge ingress
 * built from deploy/Dockerfile, wired to each other. When docker-compose (or docker compose) is installed, it
 * validates the file against the Compose schema too.
 */
class ComposeFileTest {

    private static final Path COMPOSE_FILE = DeployFiles.DEPLOY.resolve("compose.yaml");

    private final JsonNode compose = DeployFiles.yaml(COMPOSE_FILE);
    private final JsonNode kafka = service("kafka");
    private final JsonNode emulator = service("slack-emulator");
    private final JsonNode bridge = service("bridge");
    private final Map<String, String> bridgeEnv = environment(bridge);

    @Test
    void dockerComposeAcceptsTheFile() {
        List<String> composeCommand = composeCommand();
        assumeTrue(!composeCommand.isEmpty(), "neither docker-compose nor the docker compose plugin is installed");
        List<String> command = new ArrayList<>(composeCommand);
        command.addAll(List.of("-f", COMPOSE_FILE.toString(), "config", "-q"));

        DeployFiles.ToolRun run = DeployFiles.run(command.toArray(String[]::new));

        assertThat(run.exitCode()).as(String.join(" ", command) + " said:\n" + run.output()).isZero();
    }

    @Test
    void kafkaIsOneKraftNodeInStepWithTheBridgesClients() {
        Map<String, String> env = environment(kafka);

        assertThat(kafka.path("image").asText()).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env.keySet()).filteredOn(name -> name.endsWith("_REPLICATION_FACTOR") || name.endsWith("_MIN_ISR"))
                .as("internal topics of a single broker have one replica")
                .isNotEmpty()
                .allSatisfy(name -> assertThat(env.get(name)).as(name).isEqualTo("1"));
    }

    @Test
    void theBridgeAndTheEmulatorAreBuiltFromTheDockerfile() {
        Dockerfile dockerfile = Dockerfile.read();

        for (String service : List.of("bridge", "slack-emulator")) {
            JsonNode build = service(service).path("build");
            Path dockerfilePath = COMPOSE_FILE.getParent().resolve(build.path("context").asText())
                    .resolve(build.path("dockerfile").asText()).normalize();
            assertThat(dockerfilePath).as(service + "'s Dockerfile").isEqualTo(Dockerfile.PATH);
            assertThat(build.path("target").asText()).as(service + "'s target").isEqualTo(service);
            assertThat(dockerfile.stage(service)).isNotNull();
        }
    }

    @Test
    void theBridgeReachesKafkaAtAnAdvertisedListener() {
        String bootstrap = bridgeEnv.get("BRIDGE_KAFKA_BOOTSTRAP_SERVERS");
        List<String> advertised = Arrays.stream(environment(kafka).get("KAFKA_ADVERTISED_LISTENERS").split(","))
                .map(listener -> listener.substring(listener.indexOf("://") + 3))
                .toList();

        assertThat(bootstrap).startsWith("kafka:");
        assertThat(advertised).contains(bootstrap);
        assertThat(bridgeEnv.get("BRIDGE_TOPICS_REPLICATION_FACTOR")).isEqualTo("1");
    }

    @Test
    void theBridgeCallsTheEmulatorWithATokenItAccepts() {
        List<String> emulatorArgs = strings(emulator.path("command"));
        URI baseUrl = URI.create(bridgeEnv.get("BRIDGE_SLACK_BASE_URL"));
        List<TokenGrant> grants = values(emulatorArgs, "--token").stream().map(TokenGrant::parse).toList();

        assertThat(baseUrl.getHost()).isEqualTo("slack-emulator");
        assertThat(baseUrl.getPort()).isEqualTo(Integer.parseInt(values(emulatorArgs, "--port").get(0)));
        assertThat(baseUrl.getPath()).isEqualTo("/api/");
        assertThat(grants).as("the emulator accepts the bridge's token for its default workspace")
                .anyMatch(grant -> grant.token().equals(bridgeEnv.get("SLACK_TOKEN"))
                        && grant.teamId().equals(bridgeEnv.get("BRIDGE_SLACK_DEFAULT_TEAM_ID")));
    }

    @Test
    void theBridgeKeepsItsStateOnANamedVolume() {
        Dockerfile dockerfile = Dockerfile.read();
        String stateDir = Optional.ofNullable(bridgeEnv.get("BRIDGE_STATE_DIR"))
                .orElseGet(() -> dockerfile.env(dockerfile.stage("bridge")).get("BRIDGE_STATE_DIR"));

        assertThat(strings(bridge.path("volumes")))
                .anySatisfy(volume -> {
                    String[] parts = volume.split(":");
                    assertThat(parts[1]).isEqualTo(stateDir);
                    assertThat(compose.path("volumes").has(parts[0])).as(parts[0] + " is a named volume").isTrue();
                });
    }

    @Test
    void theBridgeStartsOnceKafkaAndTheEmulatorAreHealthy() {
        for (String dependency : List.of("kafka", "slack-emulator")) {
            assertThat(bridge.at("/depends_on/" + dependency + "/condition").asText()).as(dependency)
                    .isEqualTo("service_healthy");
            assertThat(service(dependency).has("healthcheck")).as(dependency + " has a health check").isTrue();
        }
        assertThat(bridge.at("/healthcheck/test").toString()).contains("/readyz");
    }

    @Test
    void everyBridgeVariableIsAConfigurationKey() {
        ConfigurationVariables documented = ConfigurationVariables.documented();

        assertThat(bridgeEnv.keySet()).filteredOn(name -> name.startsWith("BRIDGE_"))
                .allMatch(documented::isKnown, "is a documented BRIDGE_* variable");
        assertThat(bridgeEnv.get("BRIDGE_LOG_FORMAT")).isIn("TEXT", "JSON");
    }

    @Test
    void theIngressRunsTheBridgesImageOnceTheBridgeHasSetUpTheTopics() {
        JsonNode ingress = service("ingress");
        Map<String, String> env = environment(ingress);
        String port = env.get("BRIDGE_INGRESS_HTTP_PORT");

        assertThat(ingress.path("image").asText()).isEqualTo(bridge.path("image").asText());
        assertThat(ingress.path("build")).isEqualTo(bridge.path("build"));
        assertThat(strings(ingress.path("command"))).containsExactly("ingress");
        assertThat(env.get("BRIDGE_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(bridgeEnv.get("BRIDGE_KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(ingress.at("/depends_on/bridge/condition").asText()).isEqualTo("service_healthy");
        assertThat(ingress.at("/healthcheck/test").toString()).contains("localhost:" + port + "/readyz");
        assertThat(strings(ingress.path("ports"))).contains(port + ":" + port);
        assertThat(URI.create(env.get("BRIDGE_INGRESS_PUBLIC_URL")).getPort()).isEqualTo(Integer.parseInt(port));
        ConfigurationVariables documented = ConfigurationVariables.documented();
        assertThat(env.keySet()).filteredOn(name -> name.startsWith("BRIDGE_"))
                .allMatch(documented::isKnown, "is a documented BRIDGE_* variable");
    }

    private JsonNode service(String name) {
        JsonNode service = compose.path("services").path(name);
        assertThat(service.isObject()).as("compose.yaml has a service " + name).isTrue();
        return service;
    }

    /** A service's environment, from either of Compose's forms (a map, or a list of NAME=value). */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new TreeMap<>();
        JsonNode environment = service.path("environment");
        if (environment.isArray()) {
            environment.forEach(entry -> {
                String[] pair = entry.asText().split("=", 2);
                env.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        } else {
            environment.properties().forEach(entry -> env.put(entry.getKey(), entry.getValue().asText()));
        }
        return env;
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(item -> strings.add(item.asText()));
        return strings;
    }

    /** The values given to an option in an argument list ({@code --port 8089} or {@code --port=8089}). */
    private static List<String> values(List<String> args, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(option) && i + 1 < args.size()) {
                values.add(args.get(i + 1));
            } else if (args.get(i).startsWith(option + "=")) {
                values.add(args.get(i).substring(option.length() + 1));
            }
        }
        return values;
    }

    /** docker-compose, else the docker compose plugin; empty when neither is installed. */
    private static List<String> composeCommand() {
        if (DeployFiles.onPath("docker-compose")) {
            return List.of("docker-compose");
        }
        if (DeployFiles.onPath("docker") && DeployFiles.run("docker", "compose", "version").exitCode() == 0) {
            return List.of("docker", "compose");
        }
        return List.of();
    }
}
