package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The GitHub Actions workflows and the other delivery YAML, linted by the real yamllint. */
class WorkflowsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path ROOT = Golden.repoRoot();

  @Test
  void delivery_yaml_passes_yamllint() throws Exception {
    assertThat(Path.of("/usr/bin/yamllint"))
        .as("yamllint is installed (.ci/run installs it)")
        .exists();
    Process lint =
        new ProcessBuilder(
                "yamllint",
                "-s",
                "-c",
                ".yamllint.yaml",
                ".github/workflows",
                "examples/argocd",
                "k8s/overlays",
                "k8s/argocd",
                "k8s/monitoring")
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(lint.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(lint.exitValue()).as(out).isZero();
  }

  @Test
  void ci_runs_make_test_on_pushes_and_pull_requests() throws Exception {
    JsonNode ci = YAML.readTree(ROOT.resolve(".github/workflows/ci.yaml").toFile());

    // YAML 1.1 reads the bare key `on` as true
    JsonNode on = ci.has("on") ? ci.get("on") : ci.get("true");
    assertThat(on.has("push") && on.has("pull_request")).isTrue();
    assertThat(ci.at("/jobs/test/steps").toString()).contains("make test");
  }

  @Test
  void release_pushes_both_images_and_pins_the_prod_overlay_to_them() throws Exception {
    JsonNode release = YAML.readTree(ROOT.resolve(".github/workflows/release.yaml").toFile());
    String steps = release.at("/jobs/images/steps").toString();
    String bump = release.at("/jobs/bump-prod-overlay/steps").toString();

    JsonNode on = release.has("on") ? release.get("on") : release.get("true");
    assertThat(on.at("/push/tags").toString()).contains("v*");
    assertThat(steps).contains("Dockerfile.server", "Dockerfile.operator", "\"push\":true");
    assertThat(bump)
        .contains("kustomize edit set image", "k8s/overlays/prod", "model-server", "git push");
    assertThat(release.at("/jobs/bump-prod-overlay/needs").asText()).isEqualTo("images");
  }
}
