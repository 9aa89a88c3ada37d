package dev.mlplatform.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model directories laid out as users bring them, with the bundled model's real tokenizer and ONNX
 * graph; the locator reads which files are there, not the weights, so a {@code .pt} here is a name
 * only (the TorchScript itself is loaded in EngineAgreementIT).
 */
class ModelLocatorTest {
  @TempDir Path cache;
  @TempDir Path dir;
  private ModelFiles bundled;
  private ModelLocator locator;

  @BeforeEach
  void setUp() throws Exception {
    BundledModels models = new BundledModels(cache);
    bundled = models.unpack("all-minilm-l6-v2");
    locator = new ModelLocator(models, null, null, EngineRegistry.standard());
    Files.copy(bundled.tokenizer(), dir.resolve("tokenizer.json"));
  }

  private void put(String path) throws Exception {
    Path target = dir.resolve(path);
    Files.createDirectories(target.getParent());
    if (path.endsWith(".onnx")) {
      Files.copy(bundled.weights(), target);
    } else {
      Files.writeString(target, "named only");
    }
  }

  @Test
  void a_directory_in_the_hub_export_layout_runs_on_onnx_runtime() throws Exception {
    put("onnx/model.onnx");

    ModelFiles files = locator.locate(dir.toUri().toString(), null);

    assertThat(files.engine()).isEqualTo("OnnxRuntime");
    assertThat(files.weights()).isEqualTo(dir.resolve("onnx/model.onnx"));
    assertThat(files.tokenizer()).isEqualTo(dir.resolve("tokenizer.json"));
  }

  @Test
  void a_torchscript_runs_on_pytorch() throws Exception {
    put("model.pt");

    ModelFiles files = locator.locate(dir.toUri().toString(), null);

    assertThat(files.engine()).isEqualTo("PyTorch");
    assertThat(files.weights()).isEqualTo(dir.resolve("model.pt"));
  }

  @Test
  void with_both_the_engine_asked_for_wins_else_onnx_runtime() throws Exception {
    put("model.pt");
    put("model.onnx");

    assertThat(locator.locate(dir.toUri().toString(), null).weights())
        .isEqualTo(dir.resolve("model.onnx"));
    ModelFiles torch = locator.locate(dir.toUri().toString(), "PyTorch");
    assertThat(torch.engine()).isEqualTo("PyTorch");
    assertThat(torch.weights()).isEqualTo(dir.resolve("model.pt"));
  }

  @Test
  void a_directory_with_no_weights_an_engine_takes_says_what_it_found_and_what_would_do()
      throws Exception {
    put("pytorch_model.bin");

    assertThatThrownBy(() -> locator.locate(dir.toUri().toString(), null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(
            "model directory "
                + dir
                + " has no weights this server can load: found pytorch_model.bin; supported:"
                + " onnx/model.onnx or model.onnx, exported with optimum (OnnxRuntime); a"
                + " TorchScript *.pt, from torch.jit.trace (PyTorch)");
    put("model.onnx");
    assertThatThrownBy(() -> locator.locate(dir.toUri().toString(), "PyTorch"))
        .hasMessageContaining("has no weights for PyTorch: found model.onnx, pytorch_model.bin");
  }

  @Test
  void a_bundled_model_is_onnx_and_refuses_another_engine() {
    assertThat(locator.locate("bundled:all-minilm-l6-v2", "onnxruntime").engine())
        .isEqualTo("OnnxRuntime");
    assertThatThrownBy(() -> locator.locate("bundled:all-minilm-l6-v2", "PyTorch"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("bundled:all-minilm-l6-v2 is an OnnxRuntime model; MODEL_ENGINE says PyTorch");
  }
}
