package dev.mlplatform.server.inference;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named prompts a model was trained with, from sentence-transformers' {@code
 * config_sentence_transformers.json}: E5 wants {@code "query: "} before a search query and {@code
 * "passage: "} before a document. A request picks one by name ({@code prompt_name}, as
 * sentence-transformers' {@code encode} and text-embeddings-inference do); without one the model's
 * default applies, if it names one.
 *
 * @param byName prompt name → the text put before each input
 * @param defaultName the prompt used when a request names none, or {@code null}
 */
public record Prompts(Map<String, String> byName, String defaultName) {
  public static final Prompts NONE = new Prompts(Map.of(), null);

  public Prompts {
    byName =
        Collections.unmodifiableMap(new TreeMap<>(byName)); // sorted: stable /info and messages
    if (defaultName != null && !byName.containsKey(defaultName)) {
      throw new ModelLoadException(
          "default_prompt_name '" + defaultName + "' is not one of the prompts " + byName.keySet());
    }
  }

  /** The prompt of that name, the default when {@code name} is {@code null}, else empty. */
  public String prefix(String name) {
    String chosen = name != null ? name : defaultName;
    return chosen == null ? "" : byName.get(chosen);
  }

  public boolean has(String name) {
    return byName.containsKey(name);
  }
}
