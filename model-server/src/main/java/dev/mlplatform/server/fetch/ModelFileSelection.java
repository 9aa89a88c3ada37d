package dev.mlplatform.server.fetch;

import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import dev.mlplatform.server.inference.EngineChoice;
import dev.mlplatform.server.inference.EngineRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The files of a repository the server needs: the weights the engine loads, the tokenizer, and the
 * sentence-transformers files that say how it pools, normalises, truncates and prompts. Nothing
 * else is downloaded (a repository often holds the same weights in four formats).
 */
final class ModelFileSelection {
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

  private ModelFileSelection() {}

  /**
   * @param engine the engine asked for, or {@code null} for the first of the registry's engines
   *     with weights in the repository
   * @return the weights first
   */
  static List<RepoFile> select(
      HubRepository repo, List<RepoFile> files, EngineRegistry engines, String engine) {
    Map<String, RepoFile> byPath =
        files.stream().collect(Collectors.toMap(RepoFile::path, Function.identity(), (a, b) -> a));
    EngineChoice choice =
        engines
            .choose(byPath.keySet(), engine)
            .orElseThrow(
                () ->
                    new ModelFetchException(
                        Reason.NoSupportedWeights,
                        engines.noWeights(repo.toString(), byPath.keySet(), engine)));
    if (!byPath.containsKey("tokenizer.json")) {
      throw new ModelFetchException(
          Reason.NoSupportedWeights,
          repo + " has no tokenizer.json (the server needs a Hugging Face fast tokenizer)");
    }
    List<RepoFile> chosen = new ArrayList<>();
    RepoFile weights = byPath.get(choice.weights());
    chosen.add(weights);
    // ONNX models over 2 GB keep their tensors beside the graph
    RepoFile external = byPath.get(weights.path() + "_data");
    if (external != null) {
      chosen.add(external);
    }
    RECIPE.stream().sorted().map(byPath::get).filter(f -> f != null).forEach(chosen::add);
    return List.copyOf(chosen);
  }
}
