package dev.mlplatform.server.inference;

/** Loads a model on the runner for its engine. */
public final class EmbeddingModels {
  private EmbeddingModels() {}

  /**
   * ONNX models run on ONNX Runtime's own API ({@link OrtEmbeddingModel}: direct buffers, only the
   * token output fetched); TorchScript models on DJL's PyTorch engine ({@link DjlEmbeddingModel}).
   *
   * @param threads intra-op threads of each forward pass
   * @param probe any tokenised text, for the one pass that tells the vector length
   */
  public static EmbeddingModel load(
      ModelFiles files, Pooling pooling, int threads, TokenizedText probe) {
    return switch (files.engine()) {
      case ONNX_RUNTIME -> new OrtEmbeddingModel(files, pooling, threads, probe);
      case PYTORCH -> new DjlEmbeddingModel(files, pooling, threads, probe);
    };
  }
}
