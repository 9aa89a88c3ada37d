package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mlplatform.operator.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GitHub Actions workflows and the other delivery YAML: linted by the real yamllint, and read
 * as YAML to check that CI on GitHub runs exactly what {@code .ci/run} runs.
 */
class WorkflowsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path ROOT = Golden.repoRoot();

  /** A make invocation at the start of a shell command: the targets it names. */
  private static final Pattern MAKE = Pattern.compile("^\\s*make((?:\\s+[a-z][a-z0-9-]*)+)\\s*$");

  @Test
  void delivery_yaml_passes_yamllint() throws Exception {
    Process lint =
        new ProcessBuilder(
                Tools.require("yamllint", "yamllint").toString(),
                "-s",
                "-c",
                ".yamllint.yaml",
                ".github/workflows",
                "examples",
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
  void github_ci_runs_the_same_make_targets_as_ci_run_in_the_same_order() throws Exception {
    List<String> ciRun = makeTargets(Files.readAllLines(ROOT.resolve(".ci/run")));
    JsonNode ci = YAML.readTree(ROOT.resolve(".github/workflows/ci.yaml").toFile());
    List<String> workflow = new ArrayList<>();
    for (JsonNode step : ci.at("/jobs/test/steps")) {
      if (step.has("run")) {
        workflow.addAll(makeTargets(step.get("run").asText().lines().toList()));
      }
    }

    assertThat(ciRun).startsWith("test").contains("images-smoke", "images-lint");
    assertThat(workflow).isEqualTo(ciRun);
  }

  @Test
  void github_ci_runs_on_pushes_and_pull_requests_on_ubuntu_24_04() throws Exception {
    JsonNode ci = YAML.readTree(ROOT.resolve(".github/workflows/ci.yaml").toFile());

    JsonNode on = on(ci);
    assertThat(on.has("push") && on.has("pull_request")).isTrue();
    assertThat(ci.at("/jobs/test/runs-on").asText()).isEqualTo("ubuntu-24.04");
    // the tools come from tools/setup.sh through the make targets, not from a second list here
    assertThat(ci.at("/jobs/test/steps").toString()).doesNotContain("apt-get");
  }

  @Test
  void release_pushes_the_images_and_pins_the_prod_overlay_with_its_golden_file() throws Exception {
    JsonNode release = YAML.readTree(ROOT.resolve(".github/workflows/release.yaml").toFile());
    String steps = release.at("/jobs/images/steps").toString();
    String bump = release.at("/jobs/bump-prod-overlay/steps").toString();

    assertThat(on(release).at("/push/tags").toString()).contains("v*");
    assertThat(steps).contains("Dockerfile.server", "Dockerfile.operator", "\"push\":true");
    // the server in both variants: the default (ONNX Runtime) and the -pytorch tag
    assertThat(steps).contains("VARIANT=pytorch", "version }}-pytorch");
    assertThat(bump).contains("tools/release-pin.sh", "git push");
    assertThat(release.at("/jobs/bump-prod-overlay/needs").asText()).isEqualTo("images");
  }

  private static JsonNode on(JsonNode workflow) {
    // YAML 1.1 reads the bare key `on` as true
    return workflow.has("on") ? workflow.get("on") : workflow.get("true");
  }

  private static List<String> makeTargets(List<String> lines) {
    List<String> targets = new ArrayList<>();
    for (String line : lines) {
      Matcher make = MAKE.matcher(line);
      if (make.matches()) {
        targets.addAll(List.of(make.group(1).trim().split("\\s+")));
      }
    }
    return targets;
  }
}
