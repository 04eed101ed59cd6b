package dev.callbridge.devkit.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * deploy/k8s holds what a StatefulSet of bridges needs, and every manifest matches the Kubernetes
 * API: the contract holds for the files as written and, when kubectl is installed, for what
 * {@code kubectl kustomize} renders from them.
 */
class KubernetesManifestsTest {

    private static final Path K8S = DeployFiles.DEPLOY.resolve("k8s");
    private static final Path EXAMPLE_SECRET = K8S.resolve("slack-tokens.example.yaml");

    /** The API types the manifests may use, by apiVersion and kind. */
    private static final Map<String, Class<?>> API_TYPES = Map.of(
            "v1/ServiceAccount", V1ServiceAccount.class,
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class,
            "v1/Service", V1Service.class,
            "apps/v1/StatefulSet", V1StatefulSet.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class);

    /** The manifests as written, or as kustomize puts them together. */
    enum Rendering {
        FILES {
            @Override
            List<JsonNode> manifests() {
                return kustomizationResources().stream().flatMap(file -> DeployFiles.yamlDocuments(file).stream()).toList();
            }
        },
        KUBECTL_KUSTOMIZE {
            @Override
            List<JsonNode> manifests() {
                assumeTrue(DeployFiles.onPath("kubectl"), "kubectl is not installed");
                return kustomized();
            }
        };

        abstract List<JsonNode> manifests();
    }

    private static List<JsonNode> kustomized;

    /** What kubectl kustomize renders, once for all the tests. */
    private static synchronized List<JsonNode> kustomized() {
        if (kustomized == null) {
            DeployFiles.ToolRun run = DeployFiles.run("kubectl", "kustomize", K8S.toString());
            assertThat(run.exitCode()).as("kubectl kustomize said:\n" + run.output()).isZero();
            kustomized = DeployFiles.yamlDocuments(run.output());
        }
        return kustomized;
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyManifestMatchesTheKubernetesApi(Rendering rendering) {
        List<JsonNode> manifests = new ArrayList<>(rendering.manifests());
        manifests.addAll(DeployFiles.yamlDocuments(EXAMPLE_SECRET));

        assertThat(manifests).isNotEmpty();
        manifests.forEach(KubernetesManifestsTest::matchesTheApi);
        assertThat(manifests).as("namespace-agnostic").noneMatch(m -> m.at("/metadata/namespace").isTextual());
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theStatefulSetKeepsEachPodsStateOnItsOwnVolumeAtTheStateDir(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        String stateDir = k8s.config().get("BRIDGE_STATE_DIR");

        JsonNode claim = k8s.statefulSet().at("/spec/volumeClaimTemplates/0");
        assertThat(claim.at("/spec/resources/requests/storage").asText()).isNotBlank();
        assertThat(k8s.mountPath(claim.at("/metadata/name").asText())).isEqualTo(stateDir);
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void eachPodIsAStaticGroupMemberNamedAfterItself(Rendering rendering) {
        JsonNode instanceId = new Manifests(rendering.manifests()).env("BRIDGE_INSTANCE_ID");

        assertThat(instanceId.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void probesAskHealthAndReadinessOnTheHttpPort(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode container = k8s.container();
        int httpPort = Integer.parseInt(k8s.config().get("BRIDGE_HTTP_PORT"));

        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            JsonNode httpGet = container.path(probe).path("httpGet");
            if (!httpGet.isMissingNode()) {
                assertThat(k8s.containerPort(httpGet.path("port"))).as(probe + "'s port").isEqualTo(httpPort);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void prometheusScrapesMetricsFromTheHttpPort(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode annotations = k8s.statefulSet().at("/spec/template/metadata/annotations");

        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(k8s.config().get("BRIDGE_HTTP_PORT"));
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theContainerHasResourceRequestsAndLimits(Rendering rendering) {
        JsonNode resources = new Manifests(rendering.manifests()).container().path("resources");

        for (String field : List.of("/requests/cpu", "/requests/memory", "/limits/cpu", "/limits/memory")) {
            assertThat(resources.at(field).asText()).as("resources" + field).isNotBlank();
        }
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void settingsComeFromTheConfigMapAndAreAllConfigurationKeys(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        ConfigurationVariables documented = ConfigurationVariables.documented();

        assertThat(k8s.container().at("/envFrom/0/configMapRef/name").asText())
                .isEqualTo(k8s.only("ConfigMap").at("/metadata/name").asText());
        assertThat(k8s.config().keySet()).isNotEmpty().allMatch(documented::isKnown, "is a documented BRIDGE_* variable");
        assertThat(k8s.config().get("BRIDGE_LOG_FORMAT")).isIn("TEXT", "JSON");
        assertThat(k8s.config()).containsKey("BRIDGE_KAFKA_BOOTSTRAP_SERVERS");
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void slackTokensAreSecretFilesInTheTokenDir(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode example = DeployFiles.yaml(EXAMPLE_SECRET);
        JsonNode volume = k8s.volume("secret");

        assertThat(volume.at("/secret/secretName").asText()).isEqualTo(example.at("/metadata/name").asText());
        assertThat(k8s.mountPath(volume.path("name").asText())).isEqualTo(k8s.config().get("BRIDGE_SLACK_TOKEN_DIR"));
        assertThat(example.at("/stringData/default").asText()).as("the example holds a placeholder, never a token")
                .contains("REPLACE").doesNotStartWith("xox");
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void thePodRunsAsTheImagesNonRootUserOnAReadOnlyRootFilesystem(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode pod = k8s.statefulSet().at("/spec/template/spec");
        JsonNode container = k8s.container();
        Dockerfile dockerfile = Dockerfile.read();
        String imageUser = dockerfile.user(dockerfile.stage("bridge")).orElseThrow();

        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asText() + ":" + pod.at("/securityContext/runAsGroup").asText())
                .isEqualTo(imageUser);
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(k8s.mountPath(k8s.volume("emptyDir").path("name").asText())).as("a writable /tmp").isEqualTo("/tmp");
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(k8s.only("ServiceAccount").path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo(k8s.only("ServiceAccount").at("/metadata/name").asText());
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void aGracefulStopHasTimeToFinish(Rendering rendering) {
        JsonNode pod = new Manifests(rendering.manifests()).statefulSet().at("/spec/template/spec");

        // Kafka Streams and the dispatcher take up to 30 s each to close.
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(60);
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theServicesAndTheDisruptionBudgetSelectTheBridgePods(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode statefulSet = k8s.statefulSet();
        Map<String, String> podLabels = strings(statefulSet.at("/spec/template/metadata/labels"));
        Map<String, String> selector = strings(statefulSet.at("/spec/selector/matchLabels"));
        JsonNode service = k8s.only("Service");
        JsonNode budget = k8s.only("PodDisruptionBudget");

        assertThat(podLabels).containsAllEntriesOf(selector);
        assertThat(service.at("/spec/clusterIP").asText()).as("headless").isEqualTo("None");
        assertThat(service.at("/metadata/name").asText()).isEqualTo(statefulSet.at("/spec/serviceName").asText());
        assertThat(strings(service.at("/spec/selector"))).isEqualTo(selector);
        assertThat(budget.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
        assertThat(strings(budget.at("/spec/selector/matchLabels"))).isEqualTo(selector);
        assertThat(statefulSet.at("/spec/replicas").asInt()).isGreaterThan(1);
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void thePodsSpreadOverNodes(Rendering rendering) {
        JsonNode statefulSet = new Manifests(rendering.manifests()).statefulSet();
        Map<String, String> podLabels = strings(statefulSet.at("/spec/template/metadata/labels"));
        JsonNode spread = statefulSet.at("/spec/template/spec/topologySpreadConstraints/0");

        assertThat(spread.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        assertThat(podLabels).containsAllEntriesOf(strings(spread.at("/labelSelector/matchLabels")));
    }

    @Test
    void everyManifestInTheDirectoryIsInTheKustomizationOrAnExample() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            assertThat(files.filter(file -> file.toString().endsWith(".yaml"))
                    .filter(file -> !file.getFileName().toString().equals("kustomization.yaml"))
                    .filter(file -> !file.getFileName().toString().endsWith(".example.yaml")))
                    .containsExactlyInAnyOrderElementsOf(kustomizationResources());
        }
    }

    /** The files kustomization.yaml lists as its resources. */
    private static List<Path> kustomizationResources() {
        List<Path> resources = new ArrayList<>();
        DeployFiles.yaml(K8S.resolve("kustomization.yaml")).path("resources")
                .forEach(resource -> resources.add(K8S.resolve(resource.asText()).normalize()));
        return resources;
    }

    /** Reads the manifest into the API type of its apiVersion and kind, which rejects unknown or missing fields. */
    private static void matchesTheApi(JsonNode manifest) {
        String type = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
        Class<?> apiType = API_TYPES.get(type);
        assertThat(apiType).as("an API type the tests know for " + type).isNotNull();
        assertThatCode(() -> JSON.deserialize(manifest.toString(), apiType))
                .as(type + " " + manifest.at("/metadata/name").asText() + " matches the Kubernetes API")
                .doesNotThrowAnyException();
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> strings = new TreeMap<>();
        object.properties().forEach(entry -> strings.put(entry.getKey(), entry.getValue().asText()));
        return strings;
    }

    /** One rendering's manifests, and the parts of them the contract is about. */
    private record Manifests(List<JsonNode> all) {

        JsonNode only(String kind) {
            List<JsonNode> ofKind = all.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
            assertThat(ofKind).as("manifests of kind " + kind).hasSize(1);
            return ofKind.get(0);
        }

        JsonNode statefulSet() {
            return only("StatefulSet");
        }

        JsonNode container() {
            JsonNode containers = statefulSet().at("/spec/template/spec/containers");
            assertThat(containers.size()).as("containers in the bridge pod").isEqualTo(1);
            return containers.get(0);
        }

        /** The BRIDGE_* settings of the ConfigMap. */
        Map<String, String> config() {
            return strings(only("ConfigMap").path("data"));
        }

        JsonNode env(String name) {
            for (JsonNode env : container().path("env")) {
                if (env.path("name").asText().equals(name)) {
                    return env;
                }
            }
            throw new AssertionError("the bridge container sets no " + name);
        }

        /** The pod's one volume of a type, such as {@code secret} or {@code emptyDir}. */
        JsonNode volume(String type) {
            List<JsonNode> volumes = new ArrayList<>();
            statefulSet().at("/spec/template/spec/volumes").forEach(volume -> {
                if (volume.has(type)) {
                    volumes.add(volume);
                }
            });
            assertThat(volumes).as(type + " volumes").hasSize(1);
            return volumes.get(0);
        }

        String mountPath(String volume) {
            for (JsonNode mount : container().path("volumeMounts")) {
                if (mount.path("name").asText().equals(volume)) {
                    return mount.path("mountPath").asText();
                }
            }
            throw new AssertionError("the bridge container does not mount volume " + volume);
        }

        /** A probe's port, by number or by the name of a container port. */
        int containerPort(JsonNode port) {
            if (port.isInt()) {
                return port.asInt();
            }
            for (JsonNode declared : container().path("ports")) {
                if (declared.path("name").asText().equals(port.asText())) {
                    return declared.path("containerPort").asInt();
                }
            }
            throw new AssertionError("the bridge container has no port named " + port.asText());
        }
    }
}
