package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlplatform.operator.testing.Tools;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kustomize overlays users install, rendered by the real {@code kubectl kustomize}. */
class KustomizeOverlaysTest {
  private static final Path OVERLAYS = Golden.repoRoot().resolve("k8s/overlays");

  private static String render(String overlay) throws Exception {
    return render(OVERLAYS.resolve(overlay));
  }

  private static String render(Path overlay) throws Exception {
    Process process =
        new ProcessBuilder(
                Tools.require("kubectl", "kubernetes").toString(), "kustomize", overlay.toString())
            .redirectErrorStream(true)
            .start();
    String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(rendered).isZero();
    return rendered;
  }

  private static List<HasMetadata> objects(String rendered) {
    return Arrays.stream(rendered.split("(?m)^---$"))
        .filter(doc -> !doc.isBlank())
        .map(doc -> (HasMetadata) Serialization.unmarshal(doc))
        .toList();
  }

  private static Deployment operator(List<HasMetadata> objects) {
    return objects.stream()
        .filter(Deployment.class::isInstance)
        .map(Deployment.class::cast)
        .findFirst()
        .orElseThrow();
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void overlay_renders_as_in_its_golden_file(String overlay) throws Exception {
    Golden.assertMatches("k8s-overlay-" + overlay + ".yaml", render(overlay));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void every_image_in_an_overlay_is_pinned_to_a_version(String overlay) throws Exception {
    Container container =
        operator(objects(render(overlay))).getSpec().getTemplate().getSpec().getContainers().get(0);

    for (String image : List.of(container.getImage(), env(container, "DEFAULT_SERVER_IMAGE"))) {
      String tag = image.substring(image.lastIndexOf('/') + 1);
      assertThat(tag).as(image).contains(":").doesNotEndWith(":latest");
      assertThat(tag.substring(tag.indexOf(':') + 1)).as(image).matches("\\d+\\.\\d+\\.\\d+.*");
    }
  }

  /** What the release workflow runs after pushing the images, on a copy of the repository. */
  @Test
  void the_release_pin_moves_both_images_and_leaves_the_golden_file_true(@TempDir Path copy)
      throws Exception {
    Path root = Golden.repoRoot();
    copyTree(root.resolve("k8s"), copy.resolve("k8s"));
    copyTree(root.resolve("tools"), copy.resolve("tools"));
    Path golden = copy.resolve("operator/src/test/resources/golden/k8s-overlay-prod.yaml");
    Files.createDirectories(golden.getParent());
    Files.copy(Golden.dir().resolve("k8s-overlay-prod.yaml"), golden);
    String before = render("prod");

    Process pin =
        new ProcessBuilder(
                "bash", copy.resolve("tools/release-pin.sh").toString(), "9.8.7", "reg.test/team")
            .redirectErrorStream(true)
            .start();
    String out = new String(pin.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(pin.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(pin.exitValue()).as(out).isZero();

    String after = render(copy.resolve("k8s/overlays/prod"));
    Container container =
        operator(objects(after)).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("reg.test/team/operator:9.8.7");
    assertThat(env(container, "DEFAULT_SERVER_IMAGE"))
        .isEqualTo("reg.test/team/model-server:9.8.7");
    assertThat(golden).hasContent(after);
    List<String> changed = new ArrayList<>(after.lines().toList());
    changed.removeAll(before.lines().toList());
    assertThat(changed).as("only the two image lines change").hasSize(2);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }

  @Test
  void dev_runs_one_replica_without_leader_election_with_debug_logs_in_its_own_namespace()
      throws Exception {
    List<HasMetadata> objects = objects(render("dev"));
    Deployment deployment = operator(objects);
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(env(container, "LEADER_ELECTION")).isEqualTo("false");
    assertThat(env(container, "LOG_LEVEL")).isEqualTo("DEBUG");
    // but the binding that reads the API server's front-proxy settings, which lives in kube-system
    assertThat(objects)
        .filteredOn(o -> o.getMetadata().getNamespace() != null)
        .filteredOn(o -> !o.getMetadata().getName().equals("mlplatform-operator-auth-reader"))
        .allMatch(o -> o.getMetadata().getNamespace().equals("mlplatform-dev"));
    assertThat(objects)
        .filteredOn(o -> o.getMetadata().getName().equals("mlplatform-operator-auth-reader"))
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getMetadata().getNamespace()).isEqualTo("kube-system");
              assertThat(((RoleBinding) o).getSubjects().get(0).getNamespace())
                  .isEqualTo("mlplatform-dev");
            });
    assertThat(render("dev"))
        .contains("namespace: mlplatform-dev")
        .doesNotContain("mlplatform-system");
  }

  @Test
  void prod_runs_two_leader_elected_replicas_guarded_by_a_pdb_with_limits() throws Exception {
    List<HasMetadata> objects = objects(render("prod"));
    Deployment deployment = operator(objects);
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(env(container, "LEADER_ELECTION")).isEqualTo("true");
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    assertThat(container.getImage()).startsWith("ghcr.io/");
    PodDisruptionBudget pdb =
        objects.stream()
            .filter(PodDisruptionBudget.class::isInstance)
            .map(PodDisruptionBudget.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
  }

  @Test
  void prod_ships_the_monitoring_component_wired_to_the_operator_metrics_service()
      throws Exception {
    List<HasMetadata> objects = objects(render("prod"));
    Service metrics =
        objects.stream()
            .filter(Service.class::isInstance)
            .map(Service.class::cast)
            .filter(s -> s.getMetadata().getName().equals("mlplatform-operator-metrics"))
            .findFirst()
            .orElseThrow();
    GenericKubernetesResource monitor = only(objects, "ServiceMonitor");

    // The ServiceMonitor selects the metrics Service, in its namespace, by a port it has.
    assertThat(monitor.getMetadata().getNamespace())
        .isEqualTo(metrics.getMetadata().getNamespace());
    Map<String, Object> selector = map(map(monitor.get("spec"), "selector"), "matchLabels");
    assertThat(metrics.getMetadata().getLabels()).containsAllEntriesOf(strings(selector));
    List<?> endpoints = (List<?>) ((Map<?, ?>) monitor.get("spec")).get("endpoints");
    assertThat(metrics.getSpec().getPorts())
        .extracting(ServicePort::getName)
        .contains((String) ((Map<?, ?>) endpoints.get(0)).get("port"));

    // The alert rules and both dashboards, as committed, the dashboards for Grafana's sidecar.
    GenericKubernetesResource rule = only(objects, "PrometheusRule");
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Path monitoring = Golden.repoRoot().resolve("k8s/monitoring");
    // JsonNode equality: same tree, whatever the key order kustomize writes
    assertThat((JsonNode) yaml.valueToTree(rule.get("spec")))
        .isEqualTo(yaml.readTree(monitoring.resolve("prometheus-rule.yaml").toFile()).get("spec"));
    List<ConfigMap> dashboards =
        objects.stream()
            .filter(ConfigMap.class::isInstance)
            .map(ConfigMap.class::cast)
            .filter(c -> "1".equals(c.getMetadata().getLabels().get("grafana_dashboard")))
            .toList();
    assertThat(dashboards)
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "mlplatform-dashboard-model-servers", "mlplatform-dashboard-operator");
    for (ConfigMap dashboard : dashboards) {
      String file =
          dashboard.getMetadata().getName().replace("mlplatform-dashboard-", "mlplatform-")
              + ".json";
      assertThat(dashboard.getData())
          .containsExactly(
              Map.entry(file, Files.readString(monitoring.resolve("dashboards").resolve(file))));
    }

    // dev stays installable on a cluster without the Prometheus Operator's CRDs
    assertThat(objects(render("dev")))
        .noneMatch(
            o -> o.getKind().equals("ServiceMonitor") || o.getKind().equals("PrometheusRule"));
  }

  private static GenericKubernetesResource only(List<HasMetadata> objects, String kind) {
    List<GenericKubernetesResource> found =
        objects.stream()
            .filter(o -> o.getKind().equals(kind))
            .map(GenericKubernetesResource.class::cast)
            .toList();
    assertThat(found).as(kind).hasSize(1);
    return found.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object parent, String key) {
    return (Map<String, Object>) ((Map<?, ?>) parent).get(key);
  }

  private static Map<String, String> strings(Map<String, Object> map) {
    Map<String, String> out = new java.util.HashMap<>();
    map.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  @Test
  void every_overlay_is_tested() throws Exception {
    try (Stream<Path> dirs = Files.list(OVERLAYS)) {
      assertThat(dirs.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("dev", "prod");
    }
  }
}
