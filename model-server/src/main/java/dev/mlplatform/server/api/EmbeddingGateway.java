package dev.mlplatform.server.api;

import dev.mlplatform.server.embedding.Embeddings;
import dev.mlplatform.server.embedding.LoadedModel;
import dev.mlplatform.server.inference.Prompts;
import dev.mlplatform.server.lifecycle.ServerState;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the embedding routes share: the phase check and the hand-off to the model. */
final class EmbeddingGateway {
  private final ServerState state;

  EmbeddingGateway(ServerState state) {
    this.state = state;
  }

  /** The model, or 503 while it loads or after the drain period. */
  LoadedModel model() {
    return switch (state.phase()) {
      case STARTING ->
          throw ApiException.unavailable("not_ready", "the model is still loading; retry shortly");
      case CLOSING -> throw ApiException.unavailable("draining", "the server is shutting down");
      case READY, DRAINING -> state.model().orElseThrow();
    };
  }

  /**
   * Queues the texts; refusals (queue full, too long, shutting down, unknown prompt) are thrown
   * here, before the route goes asynchronous.
   *
   * @param normalize {@code null} for the model's setting
   * @param promptName the model's prompt to put before each text, {@code null} for its default
   */
  CompletableFuture<Embeddings> embed(
      List<String> texts, boolean truncate, Boolean normalize, String promptName) {
    LoadedModel model = model();
    Prompts prompts = model.prompts();
    if (promptName != null && !prompts.has(promptName)) {
      throw ApiException.invalidField(
          "prompt_name",
          "invalid_value",
          prompts.byName().isEmpty()
              ? "this model defines no prompts, got prompt_name '" + promptName + "'"
              : "prompt_name must be one of "
                  + prompts.byName().keySet()
                  + ", got '"
                  + promptName
                  + "'");
    }
    String prefix = prompts.prefix(promptName);
    List<String> input = prefix.isEmpty() ? texts : texts.stream().map(t -> prefix + t).toList();
    boolean unit = normalize == null ? model.settings().normalize() : normalize;
    return model.service().embed(input, truncate, unit);
  }
}
