package dev.mlplatform.server.config;

import dev.mlplatform.server.inference.Pooling;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the model server is told from outside, after validation.
 *
 * <p>The three model settings {@code maxSequenceLength}, {@code normalize} and {@code pooling} are
 * {@code null} when not set, so the model's own files (or the bundled model's card) decide them.
 *
 * @param modelId the id reported to clients, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
 * @param modelUri where the weights come from: {@code bundled:NAME}, {@code file:///dir} or {@code
 *     hf://ORG/NAME[@REVISION]}
 * @param engine the engine's name as {@code ServerSettings.ENGINES} spells it, or {@code null} to
 *     infer it from the model files
 * @param maxSequenceLength tokens per text after truncation, or {@code null} for the model's own
 * @param normalize whether embeddings are L2-normalised, or {@code null} for the model's own
 * @param pooling how token vectors become one vector, or {@code null} for the model's own
 * @param maxBatchSize most inputs the batcher puts in one forward pass
 * @param maxBatchDelay longest the batcher waits for more inputs after the first one arrives
 * @param maxBatchTokens most padded tokens (batch size x longest input) in one forward pass
 * @param maxQueueSize most inputs waiting for the model; beyond it requests get 429
 * @param maxInputsPerRequest most texts in one request; beyond it requests get 413
 * @param maxRequestBytes largest request body; beyond it requests get 413
 * @param httpPort port of the API and health routes
 * @param metricsPort port of {@code /metrics}
 * @param inferenceWorkers forward passes that may run at once (model workers)
 * @param inferenceThreads intra-op threads of the engine, per forward pass
 * @param shutdownDrain how long the server keeps serving after SIGTERM while readiness is 503
 * @param maxConnectionAge age after which a kept-alive connection is closed at its next response
 *     (zero: never), so that clients spread over replicas added since they connected
 * @param logFormat text or json log lines
 * @param modelCacheDir where bundled models are unpacked (must be writable)
 * @param apiKey the key clients must send as {@code Authorization: Bearer KEY}, or {@code null} for
 *     an open server
 * @param hubEndpoint the Hugging Face Hub (or a mirror) that {@code hf://} models come from
 * @param hubToken the Hub access token for private repositories, or {@code null}
 */
public record ServerConfig(
    String modelId,
    String modelUri,
    String engine,
    Integer maxSequenceLength,
    Boolean normalize,
    Pooling pooling,
    int maxBatchSize,
    Duration maxBatchDelay,
    int maxBatchTokens,
    int maxQueueSize,
    int maxInputsPerRequest,
    long maxRequestBytes,
    int httpPort,
    int metricsPort,
    int inferenceWorkers,
    int inferenceThreads,
    Duration shutdownDrain,
    Duration maxConnectionAge,
    LogFormat logFormat,
    Path modelCacheDir,
    String apiKey,
    URI hubEndpoint,
    String hubToken) {

  /** Whether clients must present {@link #apiKey()}. */
  public boolean requiresApiKey() {
    return apiKey != null;
  }

  /** Never prints the API key nor the Hub token. */
  @Override
  public String toString() {
    return "ServerConfig[model="
        + modelId
        + ", uri="
        + modelUri
        + ", http="
        + httpPort
        + ", metrics="
        + metricsPort
        + ", apiKey="
        + (apiKey == null ? "none" : "set")
        + ", hubToken="
        + (hubToken == null ? "none" : "set")
        + "]";
  }
}
