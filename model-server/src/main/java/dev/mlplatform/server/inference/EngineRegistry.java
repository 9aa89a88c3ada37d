package dev.mlplatform.server.inference;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The engines this server knows, asked which one runs a model and to load it. Built where the
 * server is put together and handed to who needs it.
 */
public final class EngineRegistry {
  /** Weight formats a user may have, engine or not, to say what a model holds. */
  private static final List<String> WEIGHT_SUFFIXES =
      List.of(".bin", ".safetensors", ".onnx", ".pt", ".h5", ".msgpack", ".ot", ".gguf");

  private final List<EngineBackend> backends;

  /**
   * @param backends in the order they are tried when no engine is asked for: a model with weights
   *     for two engines runs on the first
   */
  public EngineRegistry(List<EngineBackend> backends) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("no engines");
    }
    this.backends = List.copyOf(backends);
  }

  /** ONNX Runtime before PyTorch: every image has it, and it is the faster of the two on a CPU. */
  public static EngineRegistry standard() {
    return new EngineRegistry(List.of(new OnnxRuntimeBackend(), new PyTorchBackend()));
  }

  public List<String> names() {
    return backends.stream().map(EngineBackend::name).toList();
  }

  /**
   * The engine with this name, in any case, as {@code MODEL_ENGINE} accepts it.
   *
   * @throws ModelLoadException when no engine has it
   */
  public EngineBackend named(String name) {
    return backends.stream()
        .filter(b -> b.name().equalsIgnoreCase(name.trim()))
        .findFirst()
        .orElseThrow(
            () ->
                new ModelLoadException(
                    "no engine named '" + name + "' (this server knows " + names() + ")"));
  }

  /**
   * Which engine runs a model with these files, and on which weights.
   *
   * @param files paths relative to the model's root, {@code /}-separated
   * @param engine the engine asked for, or {@code null} for the first that has weights there
   * @return empty when no engine asked for has weights among the files
   */
  public Optional<EngineChoice> choose(Collection<String> files, String engine) {
    List<EngineBackend> candidates = engine == null ? backends : List.of(named(engine));
    for (EngineBackend backend : candidates) {
      Optional<String> weights = backend.weightsIn(files);
      if (weights.isPresent()) {
        return Optional.of(new EngineChoice(backend, weights.get()));
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@link #choose} found nothing: the weight files that are there and what each engine asked
   * for would take, e.g. {@code org/model has no weights this server can load: found
   * pytorch_model.bin; supported: onnx/model.onnx or model.onnx, exported with optimum
   * (OnnxRuntime); a TorchScript *.pt, from torch.jit.trace (PyTorch)}.
   *
   * @param model the model's name, first in the message
   */
  public String noWeights(String model, Collection<String> files, String engine) {
    List<String> found =
        files.stream()
            .filter(f -> WEIGHT_SUFFIXES.stream().anyMatch(f::endsWith))
            .sorted()
            .toList();
    List<EngineBackend> candidates = engine == null ? backends : List.of(named(engine));
    return model
        + " has no weights "
        + (engine == null ? "this server can load" : "for " + candidates.get(0).name())
        + ": found "
        + (found.isEmpty() ? "no weight files" : String.join(", ", found))
        + "; supported: "
        + candidates.stream()
            .map(b -> b.weightsWanted() + " (" + b.name() + ")")
            .collect(Collectors.joining("; "));
  }

  /**
   * Loads the model on its engine.
   *
   * @throws ModelLoadException starting with {@code EngineNotInstalled:} when this image lacks the
   *     engine, naming the engines it has and where the model can run
   */
  public EmbeddingModel load(ModelFiles files, Pooling pooling, int threads, TokenizedText probe) {
    EngineBackend backend = named(files.engine());
    if (!backend.installed()) {
      throw new ModelLoadException(notInstalled(backend));
    }
    return backend.load(files, pooling, threads, probe);
  }

  /** Starts with its reason, as the fetch failures do, for the operator's status message. */
  private String notInstalled(EngineBackend engine) {
    String installed =
        backends.stream()
            .filter(EngineBackend::installed)
            .map(EngineBackend::name)
            .collect(Collectors.joining(", "));
    return "EngineNotInstalled: the model needs the "
        + engine.name()
        + " engine, which this server does not carry (it has "
        + installed
        + "): "
        + engine.whereInstalled();
  }
}
