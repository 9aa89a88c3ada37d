package dev.mlplatform.server.inference;

import ai.djl.engine.Engine;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TorchScript models on DJL's PyTorch engine ({@link DjlEmbeddingModel}). The default image leaves
 * the engine out: its jars (with libtorch) ship in the image's {@value #TAG_SUFFIX} tag, or beside
 * the jar in {@code engines/pytorch/}, which the jar's manifest Class-Path names.
 */
public final class PyTorchBackend implements EngineBackend {
  public static final String NAME = "PyTorch";

  /** The tag suffix of the model server image that adds the PyTorch engine to ONNX Runtime. */
  private static final String TAG_SUFFIX = "-pytorch";

  @Override
  public String name() {
    return NAME;
  }

  /** A {@code *.pt} at the root, {@code model.pt} first. */
  @Override
  public Optional<String> weightsIn(Collection<String> files) {
    return WeightFiles.find(files, List.of("model.pt"), ".pt", List.of(""));
  }

  @Override
  public String weightsWanted() {
    return "a TorchScript *.pt, from torch.jit.trace";
  }

  /** DJL registers the engine's provider without starting libtorch. */
  @Override
  public boolean installed() {
    return Engine.hasEngine(NAME);
  }

  @Override
  public String whereInstalled() {
    return "run it on the model server image's "
        + TAG_SUFFIX
        + " tag (a ModelServer's spec.image), or serve an ONNX export of the model";
  }

  @Override
  public EmbeddingModel load(ModelFiles files, Pooling pooling, int threads, TokenizedText probe) {
    // libtorch reads its thread counts once, when the engine starts
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    // a TorchScript takes its inputs by position and cannot name them before a forward pass
    return new DjlEmbeddingModel(files, NAME, Map.of(), false, pooling, probe);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
