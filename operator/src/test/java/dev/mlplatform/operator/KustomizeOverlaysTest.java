package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kustomize overlays users install, rendered by the real {@code kubectl kustomize}. */
class KustomizeOverlaysTest {
  private static final Path OVERLAYS = Golden.repoRoot().resolve("k8s/overlays");

  private static String render(String overlay) throws Exception {
    assertThat(Path.of("/usr/bin/kubectl"))
        .as("kubectl is installed (.ci/run installs it)")
        .exists();
    Process process =
        new ProcessBuilder("kubectl", "kustomize", OVERLAYS.resolve(overlay).toString())
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

  @Test
  void dev_runs_one_replica_without_leader_election_with_debug_logs_in_its_own_namespace()
      throws Exception {
    List<HasMetadata> objects = objects(render("dev"));
    Deployment deployment = operator(objects);
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(env(container, "LEADER_ELECTION")).isEqualTo("false");
    assertThat(env(container, "LOG_LEVEL")).isEqualTo("DEBUG");
    assertThat(objects)
        .filteredOn(o -> o.getMetadata().getNamespace() != null)
        .allMatch(o -> o.getMetadata().getNamespace().equals("mlplatform-dev"));
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
  void every_overlay_is_tested() throws Exception {
    try (Stream<Path> dirs = Files.list(OVERLAYS)) {
      assertThat(dirs.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("dev", "prod");
    }
  }
}
