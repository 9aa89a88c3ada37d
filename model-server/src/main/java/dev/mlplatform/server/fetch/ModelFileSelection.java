package dev.mlplatform.server.fetch;

import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The files of a repository the server needs: the weights one engine loads, the tokenizer, and the
 * sentence-transformers files that say how it pools, normalises, truncates and prompts. Nothing
 * else is downloaded (a repository often holds the same weights in four formats).
 */
final class ModelFileSelection {
  /** ONNX Runtime's weights, in the order they are preferred (the Hub's export layout first). */
  private static final List<String> ONNX = List.of("onnx/model.onnx", "model.onnx");

  private static final Set<String> RECIPE =
      Set.of(
          "tokenizer.json",
          "config.json",
          "modules.json",
          "sentence_bert_config.json",
          "config_sentence_transformers.json",
          "1_Pooling/config.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  /** What a user may find in a repository we cannot serve, for the error message. */
  private static final List<String> OTHER_WEIGHTS =
      List.of(".bin", ".safetensors", ".onnx", ".h5", ".msgpack", ".ot", ".gguf");

  private ModelFileSelection() {}

  static List<RepoFile> select(HubRepository repo, List<RepoFile> files) {
    Map<String, RepoFile> byPath =
        files.stream().collect(Collectors.toMap(RepoFile::path, Function.identity(), (a, b) -> a));
    List<RepoFile> chosen = new ArrayList<>();
    RepoFile weights = weights(byPath);
    if (weights == null) {
      Set<String> found = new TreeSet<>();
      for (String path : byPath.keySet()) {
        if (OTHER_WEIGHTS.stream().anyMatch(path::endsWith)) {
          found.add(path);
        }
      }
      throw new ModelFetchException(
          Reason.NoSupportedWeights,
          repo
              + " has no weights this server can load: found "
              + (found.isEmpty() ? "no weight files" : String.join(", ", found))
              + "; supported: onnx/model.onnx or model.onnx (ONNX Runtime), a TorchScript *.pt"
              + " (PyTorch). Export one with optimum (ONNX) or torch.jit.trace (TorchScript).");
    }
    if (!byPath.containsKey("tokenizer.json")) {
      throw new ModelFetchException(
          Reason.NoSupportedWeights,
          repo + " has no tokenizer.json (the server needs a Hugging Face fast tokenizer)");
    }
    chosen.add(weights);
    // ONNX models over 2 GB keep their tensors beside the graph
    RepoFile external = byPath.get(weights.path() + "_data");
    if (external != null) {
      chosen.add(external);
    }
    RECIPE.stream().sorted().map(byPath::get).filter(f -> f != null).forEach(chosen::add);
    return List.copyOf(chosen);
  }

  private static RepoFile weights(Map<String, RepoFile> byPath) {
    for (String path : ONNX) {
      if (byPath.containsKey(path)) {
        return byPath.get(path);
      }
    }
    return byPath.keySet().stream()
        .filter(p -> !p.contains("/") && p.endsWith(".pt"))
        .sorted((a, b) -> a.equals("model.pt") ? -1 : b.equals("model.pt") ? 1 : a.compareTo(b))
        .findFirst()
        .map(byPath::get)
        .orElse(null);
  }
}
