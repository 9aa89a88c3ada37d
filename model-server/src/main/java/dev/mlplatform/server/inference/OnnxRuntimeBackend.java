package dev.mlplatform.server.inference;

import ai.djl.util.Utils;
import ai.onnxruntime.OrtException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ONNX models on ONNX Runtime's own Java API ({@link OrtEmbeddingModel}: direct buffers, only the
 * token output fetched). Every image carries it.
 */
public final class OnnxRuntimeBackend implements EngineBackend {
  public static final String NAME = "OnnxRuntime";

  /** The Hugging Face Hub's export layout first, then a plain export. */
  private static final List<String> PREFERRED = List.of("onnx/model.onnx", "model.onnx");

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@code onnx/model.onnx}, {@code model.onnx}, else another {@code *.onnx} at the root, else in
   * {@code onnx/}.
   */
  @Override
  public Optional<String> weightsIn(Collection<String> files) {
    return WeightFiles.find(files, PREFERRED, ".onnx", List.of("", "onnx/"));
  }

  @Override
  public String weightsWanted() {
    return "onnx/model.onnx or model.onnx, exported with optimum";
  }

  @Override
  public boolean installed() {
    try {
      // not initialised: that would load the natives
      Class.forName("ai.onnxruntime.OrtEnvironment", false, getClass().getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Override
  public String whereInstalled() {
    return "serve the model on an engine this server has";
  }

  @Override
  public EmbeddingModel load(ModelFiles files, Pooling pooling, int threads, TokenizedText probe) {
    return new OrtEmbeddingModel(files, pooling, threads, probe);
  }

  /**
   * The same model on DJL's ONNX Runtime engine with the same session options, for A/B runs against
   * the server's own runner (the benchmarks' {@code -Dbench.djl=true}).
   */
  public EmbeddingModel loadOnDjl(
      ModelFiles files, Pooling pooling, int threads, TokenizedText probe) {
    // before the first ORT class loads its natives
    new OnnxRuntimeNatives(Utils.getEngineCacheDir("onnxruntime")).install();
    Map<String, Object> options;
    try {
      options = Map.of("sessionOptions", OrtEmbeddingModel.sessionOptions(threads));
    } catch (OrtException e) {
      throw new ModelLoadException("invalid ONNX Runtime options: " + e.getMessage(), e);
    }
    return new DjlEmbeddingModel(files, NAME, options, true, pooling, probe);
  }
}
