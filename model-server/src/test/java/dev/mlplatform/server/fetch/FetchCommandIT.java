package dev.mlplatform.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.Main;
import dev.mlplatform.server.testing.LocalHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model-server fetch}, as the operator's init container runs it: fills the cache, exits 0,
 * and leaves the resolved commit, size and digest (or the reason it failed, exit 3) as JSON in the
 * termination message.
 */
class FetchCommandIT {
  @TempDir Path work;

  private record Run(int exit, String output, JsonNode report) {}

  private Run fetch(Map<String, String> env) throws Exception {
    Path report = Files.createFile(work.resolve("termination-log-" + System.nanoTime()));
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "fetch")
            .redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("TERMINATION_LOG", report.toString());
    builder.environment().put("MODEL_CACHE_DIR", work.resolve("cache").toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output, new ObjectMapper().readTree(report.toFile()));
  }

  @Test
  void fetch_fills_the_cache_and_reports_the_commit_size_and_digest() throws Exception {
    try (LocalHub hub = new LocalHub()) {
      Map<String, Path> files = new LinkedHashMap<>();
      files.put("onnx/model.onnx", HubModelsIT.Model.MINILM.weights());
      files.put("tokenizer.json", HubModelsIT.Model.MINILM.tokenizer());
      String commit = hub.addRepo("sentence-transformers/all-MiniLM-L6-v2", files);

      Run run =
          fetch(
              Map.of(
                  "MODEL_URI",
                  "hf://sentence-transformers/all-MiniLM-L6-v2",
                  "HF_ENDPOINT",
                  hub.endpoint().toString()));

      assertThat(run.exit()).as(run.output()).isZero();
      assertThat(run.report().get("source").asText())
          .isEqualTo("hf://sentence-transformers/all-MiniLM-L6-v2@main");
      assertThat(run.report().get("revision").asText()).isEqualTo(commit);
      assertThat(run.report().get("sha256").asText())
          .isEqualTo(LocalHub.digest(HubModelsIT.Model.MINILM.weights()));
      assertThat(run.report().get("bytes").asLong())
          .isEqualTo(
              Files.size(HubModelsIT.Model.MINILM.weights())
                  + Files.size(HubModelsIT.Model.MINILM.tokenizer()));
      assertThat(run.output()).contains("model ready in the cache");
    }
  }

  @Test
  void a_fetch_that_cannot_succeed_exits_3_with_its_reason_in_the_report() throws Exception {
    try (LocalHub hub = new LocalHub()) {
      Run run =
          fetch(
              Map.of(
                  "MODEL_URI", "hf://nobody/nothing",
                  "HF_ENDPOINT", hub.endpoint().toString(),
                  "HF_TOKEN", "hf_some_token_value"));

      assertThat(run.exit()).isEqualTo(Main.EXIT_MODEL_LOAD_FAILED);
      assertThat(run.report().get("reason").asText()).isEqualTo("ModelNotFound");
      assertThat(run.report().get("message").asText()).contains("hf://nobody/nothing@main");
      assertThat(run.output()).contains("cannot fetch the model: ModelNotFound");
      assertThat(run.output() + run.report()).doesNotContain("hf_some_token_value");
    }
  }
}
