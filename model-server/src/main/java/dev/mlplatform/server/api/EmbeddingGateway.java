package dev.mlplatform.server.api;

import dev.mlplatform.server.embedding.Embeddings;
import dev.mlplatform.server.embedding.LoadedModel;
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
   * Queues the texts; refusals (queue full, too long, shutting down) are thrown here, before the
   * route goes asynchronous.
   *
   * @param normalize {@code null} for the model's setting
   */
  CompletableFuture<Embeddings> embed(List<String> texts, boolean truncate, Boolean normalize) {
    LoadedModel model = model();
    boolean unit = normalize == null ? model.settings().normalize() : normalize;
    return model.service().embed(texts, truncate, unit);
  }
}
