package dev.mlplatform.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlplatform.contract.ServerSettings;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which engine runs a model, asked of the engines' own backends through the registry. */
class EngineRegistryTest {
  private final EngineRegistry engines = EngineRegistry.standard();

  private Optional<String> chosen(List<String> files, String engine) {
    return engines.choose(files, engine).map(c -> c.engine().name() + " " + c.weights());
  }

  @Test
  void the_registry_has_a_backend_for_every_engine_the_contract_names_and_no_other() {
    assertThat(engines.names()).isEqualTo(ServerSettings.ENGINES);
  }

  @Test
  void onnx_weights_run_on_onnx_runtime_the_hub_export_first() {
    assertThat(
            chosen(
                List.of("model.onnx", "onnx/model_quantized.onnx", "onnx/model.onnx", "x.bin"),
                null))
        .contains("OnnxRuntime onnx/model.onnx");
    assertThat(chosen(List.of("model.onnx", "tokenizer.json"), null))
        .contains("OnnxRuntime model.onnx");
    // any other export at the root before one in onnx/, a model.* before the rest
    assertThat(chosen(List.of("b.onnx", "a.onnx", "onnx/x.onnx"), null))
        .contains("OnnxRuntime a.onnx");
    assertThat(chosen(List.of("onnx/a.onnx", "onnx/model.o4.onnx"), null))
        .contains("OnnxRuntime onnx/model.o4.onnx");
    // external tensors beside a large graph are not a graph
    assertThat(chosen(List.of("model.onnx_data"), null)).isEmpty();
  }

  @Test
  void a_torchscript_runs_on_pytorch_model_pt_first() {
    assertThat(chosen(List.of("encoder.pt", "model.pt", "tokenizer.json"), null))
        .contains("PyTorch model.pt");
    assertThat(chosen(List.of("b.pt", "a.pt"), null)).contains("PyTorch a.pt");
    assertThat(chosen(List.of("sub/model.pt"), null)).as("only the root's").isEmpty();
  }

  @Test
  void with_both_onnx_runtime_goes_first_unless_an_engine_is_asked_for() {
    List<String> both = List.of("model.pt", "onnx/model.onnx", "tokenizer.json");

    assertThat(chosen(both, null)).contains("OnnxRuntime onnx/model.onnx");
    assertThat(chosen(both, "PyTorch")).contains("PyTorch model.pt");
    assertThat(chosen(both, "pytorch")).as("MODEL_ENGINE in any case").contains("PyTorch model.pt");
    assertThat(chosen(both, "OnnxRuntime")).contains("OnnxRuntime onnx/model.onnx");
    assertThat(chosen(List.of("onnx/model.onnx"), "PyTorch")).isEmpty();
  }

  @Test
  void the_order_of_registration_decides_between_two_engines_with_weights() {
    EngineRegistry torchFirst =
        new EngineRegistry(List.of(new PyTorchBackend(), new OnnxRuntimeBackend()));

    assertThat(torchFirst.choose(List.of("model.pt", "model.onnx"), null))
        .map(c -> c.engine().name())
        .contains("PyTorch");
  }

  @Test
  void no_weights_says_what_was_found_and_what_each_registered_engine_takes() {
    List<String> files = List.of("pytorch_model.bin", "model.safetensors", "tokenizer.json");

    assertThat(engines.choose(files, null)).isEmpty();
    String message = engines.noWeights("org/model", files, null);
    assertThat(message)
        .startsWith("org/model has no weights this server can load: found model.safetensors,")
        .contains("pytorch_model.bin; supported: ")
        .doesNotContain("tokenizer.json");
    for (String name : engines.names()) {
      EngineBackend backend = engines.named(name);
      assertThat(message).contains(backend.weightsWanted() + " (" + name + ")");
    }
    // the list is the registry's: an engine not registered is not offered
    EngineRegistry onnxOnly = new EngineRegistry(List.of(new OnnxRuntimeBackend()));
    assertThat(onnxOnly.noWeights("org/model", files, null))
        .endsWith("supported: onnx/model.onnx or model.onnx, exported with optimum (OnnxRuntime)")
        .doesNotContain("PyTorch");
    // an engine asked for: only its own files
    assertThat(engines.noWeights("org/model", List.of("onnx/model.onnx"), "PyTorch"))
        .isEqualTo(
            "org/model has no weights for PyTorch: found onnx/model.onnx; supported: a"
                + " TorchScript *.pt, from torch.jit.trace (PyTorch)");
  }

  @Test
  void an_unknown_engine_names_the_ones_there_are() {
    assertThatThrownBy(() -> engines.named("TensorFlow"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("no engine named 'TensorFlow' (this server knows [OnnxRuntime, PyTorch])");
    assertThatThrownBy(() -> new EngineRegistry(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
