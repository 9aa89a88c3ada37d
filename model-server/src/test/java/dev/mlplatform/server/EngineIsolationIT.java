package dev.mlplatform.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.Fixtures;
import dev.mlplatform.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void onnx_runtime_natives_are_unpacked_once_into_the_engine_cache_not_the_temp_dir(
      @TempDir Path dir) throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path engines = dir.resolve("engines");
    Map<String, String> env =
        Map.of(
            "ENGINE_CACHE_DIR", engines.toString(),
            "MODEL_CACHE_DIR", dir.resolve("models").toString(),
            "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);

    FileTime unpacked = null;
    for (int start = 1; start <= 2; start++) {
      try (ServerProcess server = ServerProcess.start(env)) {
        ApiClient api = server.awaitReady();
        assertThat(api.post("/predict", "{\"text\": \"hi\"}").status()).isEqualTo(200);

        List<Path> libraries = files(engines, "libonnxruntime.so");
        assertThat(libraries).as("start %d", start).hasSize(1);
        assertThat(server.mappedLibraries()).contains(libraries.get(0).toString());
        assertThat(files(tmp, ".so")).as("natives in the temp dir").isEmpty();
        FileTime modified = Files.getLastModifiedTime(libraries.get(0));
        if (unpacked != null) {
          assertThat(modified).as("the second start reuses the first copy").isEqualTo(unpacked);
        }
        unpacked = modified;
      }
    }
  }

  private static List<Path> files(Path root, String suffix) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
    }
  }
}
