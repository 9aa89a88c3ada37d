package dev.mlplatform.server.embedding;

import dev.mlplatform.server.batching.BatchingConfig;
import dev.mlplatform.server.batching.DynamicBatcher;
import dev.mlplatform.server.config.ServerConfig;
import dev.mlplatform.server.fetch.ArchiveFetcher;
import dev.mlplatform.server.fetch.HubClient;
import dev.mlplatform.server.fetch.HubFetcher;
import dev.mlplatform.server.inference.BundledModels;
import dev.mlplatform.server.inference.EmbeddingModel;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.inference.ModelFiles;
import dev.mlplatform.server.inference.ModelLocator;
import dev.mlplatform.server.inference.ModelSettings;
import dev.mlplatform.server.inference.TextTokenizer;
import dev.mlplatform.server.inference.TokenizedText;
import dev.mlplatform.server.metrics.ServerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The loaded model with its tokenizer and batcher, from load and warm-up to shutdown. */
public final class ModelRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRuntime.class);

  private final TextTokenizer tokenizer;
  private final EmbeddingModel model;
  private final DynamicBatcher batcher;
  private final LoadedModel loaded;

  private ModelRuntime(
      TextTokenizer tokenizer, EmbeddingModel model, DynamicBatcher batcher, LoadedModel loaded) {
    this.tokenizer = tokenizer;
    this.model = model;
    this.batcher = batcher;
    this.loaded = loaded;
  }

  /**
   * Where the configured model's files come from: the bundled ones, the Hub, an archive URL, or a
   * directory.
   */
  public static ModelLocator locator(ServerConfig config, EngineRegistry engines) {
    return new ModelLocator(
        new BundledModels(config.modelCacheDir()),
        new HubFetcher(
            new HubClient(config.hubEndpoint(), config.hubToken()),
            config.modelCacheDir().resolve("hub"),
            engines,
            LOG::info),
        new ArchiveFetcher(config.modelCacheDir().resolve("archives"), LOG::info),
        engines);
  }

  /**
   * Finds, loads and warms up the configured model; the settings in the config win over its files.
   */
  public static ModelRuntime load(
      ServerConfig config, EngineRegistry engines, ServerMetrics metrics) {
    ModelFiles files = locator(config, engines).locate(config.modelUri(), config.engine());
    ModelSettings defaults = files.defaults();
    ModelSettings settings =
        new ModelSettings(
            config.maxSequenceLength() != null
                ? config.maxSequenceLength()
                : defaults.maxSequenceLength(),
            config.pooling() != null ? config.pooling() : defaults.pooling(),
            config.normalize() != null ? config.normalize() : defaults.normalize());
    TextTokenizer tokenizer = new TextTokenizer(files.tokenizer(), settings.maxSequenceLength());
    EmbeddingModel model;
    try {
      TokenizedText probe = tokenizer.tokenize(List.of("warm up")).get(0);
      model = engines.load(files, settings.pooling(), config.inferenceThreads(), probe);
      warmUp(tokenizer, model, config.maxBatchSize(), settings.maxSequenceLength());
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
    DynamicBatcher batcher =
        new DynamicBatcher(
            model,
            new BatchingConfig(
                config.maxBatchSize(),
                config.maxBatchDelay(),
                config.maxBatchTokens(),
                config.maxQueueSize(),
                config.inferenceWorkers()),
            metrics);
    metrics.watchQueue(batcher::queueDepth);
    EmbeddingService service =
        new EmbeddingService(tokenizer, batcher, metrics, settings.maxSequenceLength());
    LoadedModel loaded =
        new LoadedModel(
            config.modelId(),
            model.engine(),
            model.dimension(),
            settings,
            files.prompts(),
            service);
    LOG.info(
        "loaded {} from {}: {} ({} worker(s) x {} thread(s)), {} dimensions, window {} tokens, {}"
            + " pooling, normalize={}",
        config.modelId(),
        files.directory(),
        model.engine(),
        config.inferenceWorkers(),
        config.inferenceThreads(),
        model.dimension(),
        settings.maxSequenceLength(),
        settings.pooling().wireName(),
        settings.normalize());
    return new ModelRuntime(tokenizer, model, batcher, loaded);
  }

  /**
   * One pass at full batch size and one at full window length, so the first real requests do not
   * pay for the engine's lazy allocation and the JIT.
   */
  private static void warmUp(
      TextTokenizer tokenizer, EmbeddingModel model, int batchSize, int window) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < Math.min(batchSize, 32); i++) {
      texts.add("warm-up sentence number " + i + " for the embedding model");
    }
    model.embed(tokenizer.tokenize(texts));
    model.embed(tokenizer.tokenize(List.of("warm up ".repeat(window))));
  }

  public LoadedModel loaded() {
    return loaded;
  }

  /** Embeds everything already accepted and stops the batcher. */
  public boolean drain(Duration timeout) throws InterruptedException {
    return batcher.drain(timeout);
  }

  @Override
  public void close() {
    batcher.close();
    model.close();
    tokenizer.close();
  }
}
