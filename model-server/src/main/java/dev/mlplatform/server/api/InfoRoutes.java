package dev.mlplatform.server.api;

import dev.mlplatform.server.config.ServerConfig;
import dev.mlplatform.server.embedding.LoadedModel;
import dev.mlplatform.server.lifecycle.Phase;
import dev.mlplatform.server.lifecycle.ServerState;
import io.javalin.http.Context;
import java.util.Map;

/** {@code GET /info} and the health routes the kubelet probes. */
final class InfoRoutes {
  private final ServerConfig config;
  private final ServerState state;
  private final EmbeddingGateway gateway;
  private final String version;

  InfoRoutes(ServerConfig config, ServerState state, EmbeddingGateway gateway, String version) {
    this.config = config;
    this.state = state;
    this.gateway = gateway;
    this.version = version;
  }

  record Info(
      String modelId,
      String modelUri,
      String engine,
      int dimension,
      int maxSequenceLength,
      String pooling,
      boolean normalize,
      int maxBatchSize,
      long maxBatchDelayMs,
      int maxBatchTokens,
      int maxQueueSize,
      int maxInputsPerRequest,
      long maxRequestBytes,
      int inferenceWorkers,
      int inferenceThreads,
      Map<String, String> prompts,
      String defaultPrompt,
      String version) {}

  record Health(String status) {}

  void info(Context ctx) {
    LoadedModel model = gateway.model();
    ctx.json(
        new Info(
            model.id(),
            config.modelUri(),
            model.engine(),
            model.dimension(),
            model.settings().maxSequenceLength(),
            model.settings().pooling().wireName(),
            model.settings().normalize(),
            config.maxBatchSize(),
            config.maxBatchDelay().toMillis(),
            config.maxBatchTokens(),
            config.maxQueueSize(),
            config.maxInputsPerRequest(),
            config.maxRequestBytes(),
            config.inferenceWorkers(),
            config.inferenceThreads(),
            model.prompts().byName(),
            model.prompts().defaultName(),
            version));
  }

  /**
   * The process is up and its HTTP server answers; failing this makes the kubelet restart the pod.
   */
  void live(Context ctx) {
    ctx.json(new Health("live"));
  }

  /** 200 only when the model is loaded and warmed up and no shutdown has begun. */
  void ready(Context ctx) {
    Phase phase = state.phase();
    ctx.status(phase == Phase.READY ? 200 : 503)
        .json(new Health(phase.name().toLowerCase(java.util.Locale.ROOT)));
  }
}
