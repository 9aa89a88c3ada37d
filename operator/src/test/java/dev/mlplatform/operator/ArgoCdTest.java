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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  private static final Path CUSTOMIZATION =
      Golden.repoRoot().resolve("k8s/argocd/serving.mlplatform.dev/ModelServer");

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
    Path lua5 = Tools.require("lua5.1", "lua");
    JsonNode obj = YAML.readTree(CUSTOMIZATION.resolve(c.input()).toFile());
    Path script = Files.createTempFile("health", ".lua");
    Files.writeString(
        script,
        "obj = "
            + lua(obj)
            + "\nlocal hs = dofile(\""
            + CUSTOMIZATION.resolve("health.lua")
            + "\")\nio.write(hs.status, \"\\n\", hs.message or \"\")\n");
    Process lua =
        new ProcessBuilder(lua5.toString(), script.toString()).redirectErrorStream(true).start();
    String out = new String(lua.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(lua.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(lua.exitValue()).as(out).isZero();

    String[] lines = out.split("\n", 2);
    assertThat(lines[0]).isEqualTo(c.status());
    assertThat(lines.length > 1 ? lines[1] : "").isEqualTo(c.message());
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

  /** A JSON/YAML tree as a Lua table constructor. */
  private static String lua(JsonNode node) {
    if (node.isObject()) {
      StringBuilder out = new StringBuilder("{");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!field.getValue().isNull()) {
          out.append('[')
              .append(quote(field.getKey()))
              .append("]=")
              .append(lua(field.getValue()))
              .append(',');
        }
      }
      return out.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder out = new StringBuilder("{");
      node.forEach(item -> out.append(lua(item)).append(','));
      return out.append('}').toString();
    }
    if (node.isNumber() || node.isBoolean()) {
      return node.asText();
    }
    return node.isNull() ? "nil" : quote(node.asText());
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
