package dev.mlplatform.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.Fixtures;
import dev.mlplatform.server.testing.ServerProcess;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the engine a model needs is started: its natives are the only ones the process maps. */
class EngineIsolationIT {

  @Test
  void an_onnx_model_leaves_libtorch_unloaded() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of())) {
      ApiClient api = server.awaitReady();
      assertThat(api.post("/predict", "{\"text\": \"hi\"}").status()).isEqualTo(200);

      String maps = server.mappedLibraries();
      assertThat(maps).contains("libonnxruntime").doesNotContain("libtorch");
    }
  }

  @Test
  void a_torchscript_model_leaves_onnx_runtime_unloaded() throws Exception {
    try (ServerProcess server =
        ServerProcess.start(Map.of("MODEL_URI", "file://" + Fixtures.torchScriptModel()))) {
      ApiClient api = server.awaitReady();
      assertThat(api.get("/info").json().get("engine").asText()).isEqualTo("PyTorch");

      String maps = server.mappedLibraries();
      assertThat(maps).contains("libtorch").doesNotContain("libonnxruntime");
    }
  }
}
