package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Argo CD integration: the ModelServer health script, run by a real Lua 5.1 (the dialect of
 * Argo CD's gopher-lua) on every case of its {@code health_test.yaml}, and the Applications.
 */
class ArgoCdTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path CUSTOMIZATION = ArgoCdHealth.CUSTOMIZATION;

  record Case(String input, String status, String message) {
    @Override
    public String toString() {
      return input;
    }
  }

  static List<Case> cases() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (JsonNode test :
        YAML.readTree(CUSTOMIZATION.resolve("health_test.yaml").toFile()).get("tests")) {
      cases.add(
          new Case(
              test.get("inputPath").asText(),
              test.at("/healthStatus/status").asText(),
              test.at("/healthStatus/message").asText()));
    }
    return cases;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void health_script_answers_as_its_test_file_says(Case c) throws Exception {
    JsonNode obj = YAML.readTree(CUSTOMIZATION.resolve(c.input()).toFile());
    ArgoCdHealth.Verdict verdict = ArgoCdHealth.of(obj);

    assertThat(verdict.status()).isEqualTo(c.status());
    assertThat(verdict.message()).isEqualTo(c.message());
  }

  @Test
  void every_testdata_file_is_a_case() throws Exception {
    try (Stream<Path> files = Files.list(CUSTOMIZATION.resolve("testdata"))) {
      assertThat(files.map(p -> "testdata/" + p.getFileName()))
          .containsExactlyInAnyOrderElementsOf(cases().stream().map(Case::input).toList());
    }
    assertThat(cases()).extracting(Case::status).contains("Healthy", "Progressing", "Degraded");
  }

  @Test
  void the_argocd_cm_snippet_carries_the_same_script() throws Exception {
    JsonNode cm =
        YAML.readTree(Golden.repoRoot().resolve("k8s/argocd/argocd-cm-patch.yaml").toFile());

    assertThat(cm.at("/metadata/name").asText()).isEqualTo("argocd-cm");
    assertThat(
            cm.at("/data/resource.customizations.health.serving.mlplatform.dev_ModelServer")
                .asText())
        .isEqualTo(Files.readString(CUSTOMIZATION.resolve("health.lua")));
  }

  @Test
  void the_operator_syncs_before_the_model_servers_which_tolerate_a_missing_crd() throws Exception {
    Path apps = Golden.repoRoot().resolve("examples/argocd");
    JsonNode operator = YAML.readTree(apps.resolve("mlplatform-operator.yaml").toFile());
    JsonNode models = YAML.readTree(apps.resolve("team-modelservers.yaml").toFile());

    assertThat(operator.at("/spec/source/path").asText()).isEqualTo("k8s/overlays/prod");
    assertThat(
            Files.isDirectory(Golden.repoRoot().resolve(operator.at("/spec/source/path").asText())))
        .isTrue();
    int operatorWave = operator.at("/metadata/annotations/argocd.argoproj.io~1sync-wave").asInt();
    int modelsWave = models.at("/metadata/annotations/argocd.argoproj.io~1sync-wave").asInt();
    assertThat(operatorWave).isLessThan(modelsWave);
    assertThat(models.at("/spec/syncPolicy/syncOptions").toString())
        .contains("SkipDryRunOnMissingResource=true");
  }
}
