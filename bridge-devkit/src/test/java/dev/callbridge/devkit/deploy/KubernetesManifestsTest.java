package dev.callbridge.devkit.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
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
 * deploy/k8s holds what a StatefulSet of bridges needs, and a Deployment of webhook receivers (bridge
 * ingress) beside it, and every manifest matches the Kubernetes API: the contract holds for the files as written and, when kubectl is installed, for what
 * {@code kubectl kustomize} renders from them.
 */
class KubernetesManifestsTest {

    private static final Path K8S = DeployFiles.DEPLOY.resolve("k8s");
    private static final Path EXAMPLE_SECRET = K8S.resolve("slack-tokens.example.yaml");
    private static final Path INGRESS_EXAMPLE_SECRET = K8S.resolve("ingress-secrets.example.yaml");

    /** The API types the manifests may use, by apiVersion and kind. */
    private static final Map<String, Class<?>> API_TYPES = Map.of(
            "v1/ServiceAccount", V1ServiceAccount.class,
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class,
            "v1/Service", V1Service.class,
            "apps/v1/StatefulSet", V1StatefulSet.class,
            "apps/v1/Deployment", V1Deployment.class,
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
        manifests.addAll(DeployFiles.yamlDocuments(INGRESS_EXAMPLE_SECRET));

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

        // A stop measured in bin/soak --rolling took under 2 s, but by the code's own limits it may take 87 s
        // when Slack or Kafka hang: the backlog watch 10 s, the dispatcher 32 s, Kafka Streams 30 s, a token
        // rotation under way 15 s.
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(87);
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void aRollingUpdateWaitsForEachPodToBeReadyAndToCatchUpBeforeStoppingTheNext(Rendering rendering) {
        JsonNode spec = new Manifests(rendering.manifests()).statefulSet().at("/spec");

        assertThat(spec.at("/updateStrategy/type").asText("RollingUpdate")).isEqualTo("RollingUpdate");
        assertThat(spec.at("/updateStrategy/rollingUpdate/partition").asInt(0)).as("every pod is updated").isZero();
        // bin/soak --rolling: a restarted pod sent its first Slack request about 1 s after ready; with no
        // pause, calls whose events pass through two instances waited for both restarts.
        assertThat(spec.path("minReadySeconds").asInt()).isGreaterThanOrEqualTo(5);
        JsonNode readiness = spec.at("/template/spec/containers/0/readinessProbe");
        assertThat(readiness.path("periodSeconds").asInt(10) * readiness.path("failureThreshold").asInt(3))
                .as("seconds of failed probes before a pod leaves service: more than a short rebalance")
                .isGreaterThanOrEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theServicesAndTheDisruptionBudgetSelectTheBridgePods(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode statefulSet = k8s.statefulSet();
        Map<String, String> podLabels = strings(statefulSet.at("/spec/template/metadata/labels"));
        Map<String, String> selector = strings(statefulSet.at("/spec/selector/matchLabels"));
        JsonNode service = k8s.forComponent("Service", "bridge");
        JsonNode budget = k8s.forComponent("PodDisruptionBudget", "bridge");

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

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theIngressRunsBridgeIngressFromTheBridgesImageWithTheSameSettings(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode ingress = k8s.ingressContainer();

        assertThat(ingress.path("image").asText()).isEqualTo(k8s.container().path("image").asText());
        assertThat(ingress.path("args").toString()).isEqualTo("[\"ingress\"]");
        assertThat(ingress.at("/envFrom/0/configMapRef/name").asText())
                .isEqualTo(k8s.only("ConfigMap").at("/metadata/name").asText());
        assertThat(k8s.config()).containsKeys("BRIDGE_INGRESS_HTTP_PORT", "BRIDGE_INGRESS_PUBLIC_URL");
        assertThat(k8s.deployment().at("/spec/replicas").asInt()).isGreaterThan(1);
        assertThat(k8s.deployment().at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theIngressIsProbedAndScrapedOnItsPort(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode ingress = k8s.ingressContainer();
        int port = Integer.parseInt(k8s.config().get("BRIDGE_INGRESS_HTTP_PORT"));
        JsonNode annotations = k8s.deployment().at("/spec/template/metadata/annotations");

        assertThat(ingress.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(ingress.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            assertThat(Manifests.containerPort(ingress, ingress.path(probe).at("/httpGet/port"))).as(probe).isEqualTo(port);
        }
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(Integer.toString(port));
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
        JsonNode service = k8s.forComponent("Service", "ingress");
        assertThat(Manifests.containerPort(ingress, service.at("/spec/ports/0/targetPort"))).isEqualTo(port);
        for (String field : List.of("/requests/cpu", "/requests/memory", "/limits/cpu", "/limits/memory")) {
            assertThat(ingress.path("resources").at(field).asText()).as("resources" + field).isNotBlank();
        }
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theIngressSecretsComeFromTheSecretTheExampleShowsAndSetDocumentedKeys(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode example = DeployFiles.yaml(INGRESS_EXAMPLE_SECRET);
        ConfigurationVariables documented = ConfigurationVariables.documented();
        List<JsonNode> fromSecrets = new ArrayList<>();
        k8s.ingressContainer().path("env").forEach(fromSecrets::add);

        assertThat(fromSecrets).isNotEmpty().allSatisfy(env -> {
            assertThat(documented.isKnown(env.path("name").asText())).as(env.path("name").asText()).isTrue();
            JsonNode ref = env.at("/valueFrom/secretKeyRef");
            assertThat(ref.path("name").asText()).isEqualTo(example.at("/metadata/name").asText());
            assertThat(example.path("stringData").has(ref.path("key").asText())).as(ref.path("key").asText()).isTrue();
            assertThat(ref.path("optional").asBoolean()).as("a provider left out is off, not a failed start").isTrue();
        });
        assertThat(example.path("stringData").properties()).allSatisfy(entry ->
                assertThat(entry.getValue().asText()).as("a placeholder, never a secret").startsWith("REPLACE"));
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theIngressRunsAsTheImagesNonRootUserOnAReadOnlyRootFilesystemAndItsPodsAreSelected(Rendering rendering) {
        Manifests k8s = new Manifests(rendering.manifests());
        JsonNode deployment = k8s.deployment();
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode ingress = k8s.ingressContainer();
        Dockerfile dockerfile = Dockerfile.read();
        Map<String, String> podLabels = strings(deployment.at("/spec/template/metadata/labels"));
        Map<String, String> selector = strings(deployment.at("/spec/selector/matchLabels"));

        assertThat(pod.at("/securityContext/runAsUser").asText() + ":" + pod.at("/securityContext/runAsGroup").asText())
                .isEqualTo(dockerfile.user(dockerfile.stage("bridge")).orElseThrow());
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(ingress.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(ingress.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(podLabels).containsAllEntriesOf(selector);
        assertThat(selector).doesNotContainEntry("app.kubernetes.io/component", "bridge");
        assertThat(strings(k8s.forComponent("Service", "ingress").at("/spec/selector"))).isEqualTo(selector);
        assertThat(strings(k8s.forComponent("PodDisruptionBudget", "ingress").at("/spec/selector/matchLabels")))
                .isEqualTo(selector);
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

        JsonNode deployment() {
            return only("Deployment");
        }

        JsonNode ingressContainer() {
            JsonNode containers = deployment().at("/spec/template/spec/containers");
            assertThat(containers.size()).as("containers in the ingress pod").isEqualTo(1);
            return containers.get(0);
        }

        /** The one manifest of a kind that selects the pods of a component: {@code bridge} or {@code ingress}. */
        JsonNode forComponent(String kind, String component) {
            List<JsonNode> selecting = all.stream().filter(m -> kind.equals(m.path("kind").asText()))
                    .filter(m -> {
                        JsonNode selector = m.at("/spec/selector/matchLabels").isMissingNode()
                                ? m.at("/spec/selector") : m.at("/spec/selector/matchLabels");
                        return component.equals(selector.path("app.kubernetes.io/component").asText());
                    })
                    .toList();
            assertThat(selecting).as(kind + " selecting the " + component + " pods").hasSize(1);
            return selecting.get(0);
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
            return containerPort(container(), port);
        }

        /** A port of {@code container}, by number or by the name of one of its ports. */
        static int containerPort(JsonNode container, JsonNode port) {
            if (port.isInt()) {
                return port.asInt();
            }
            for (JsonNode declared : container.path("ports")) {
                if (declared.path("name").asText().equals(port.asText())) {
                    return declared.path("containerPort").asInt();
                }
            }
            throw new AssertionError("the bridge container has no port named " + port.asText());
        }
    }
}
