package dev.mlplatform.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.server.batching.BatchingConfig;
import dev.mlplatform.server.batching.DynamicBatcher;
import dev.mlplatform.server.config.ServerConfig;
import dev.mlplatform.server.embedding.EmbeddingService;
import dev.mlplatform.server.embedding.LoadedModel;
import dev.mlplatform.server.inference.BundledModels;
import dev.mlplatform.server.inference.EmbeddingModel;
import dev.mlplatform.server.inference.EngineRegistry;
import dev.mlplatform.server.inference.ModelFiles;
import dev.mlplatform.server.inference.ModelSettings;
import dev.mlplatform.server.inference.Pooling;
import dev.mlplatform.server.inference.Prompts;
import dev.mlplatform.server.inference.TextTokenizer;
import dev.mlplatform.server.inference.TokenizedText;
import dev.mlplatform.server.lifecycle.ServerState;
import dev.mlplatform.server.metrics.ServerMetrics;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ApiClient.Reply;
import dev.mlplatform.server.testing.TestEnv;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server's answers when it cannot take work: a full queue, a model still loading, a shutdown.
 * The real model runs behind a gate the test opens, so the queue fills deterministically.
 */
class BackpressureIT {
  private static final int QUEUE = 4;

  private ServerConfig config;
  private TextTokenizer tokenizer;
  private GatedModel model;
  private DynamicBatcher batcher;
  private ServerState state;
  private HttpApi http;
  private ApiClient api;
  private LoadedModel loaded;

  /** The real model, held at the gate until the test releases it. */
  static final class GatedModel implements EmbeddingModel {
    final EmbeddingModel real;
    final Semaphore gate = new Semaphore(0);
    final CountDownLatch entered = new CountDownLatch(1);

    GatedModel(EmbeddingModel real) {
      this.real = real;
    }

    @Override
    public int dimension() {
      return real.dimension();
    }

    @Override
    public String engine() {
      return real.engine();
    }

    @Override
    public float[][] embed(List<TokenizedText> batch) {
      entered.countDown();
      gate.acquireUninterruptibly();
      return real.embed(batch);
    }

    @Override
    public void close() {
      real.close();
    }
  }

  @BeforeEach
  void start() {
    config =
        TestEnv.config(Map.of("MAX_QUEUE_SIZE", "" + QUEUE, "MAX_INPUTS_PER_REQUEST", "" + QUEUE));
    ModelFiles files = new BundledModels(config.modelCacheDir()).unpack("all-minilm-l6-v2");
    ServerMetrics metrics = new ServerMetrics(new SimpleMeterRegistry());
    tokenizer = new TextTokenizer(files.tokenizer(), 256);
    model =
        new GatedModel(
            EngineRegistry.standard()
                .load(files, Pooling.MEAN, 2, tokenizer.tokenize(List.of("probe")).get(0)));
    batcher =
        new DynamicBatcher(model, new BatchingConfig(8, Duration.ZERO, 16384, QUEUE, 1), metrics);
    EmbeddingService service = new EmbeddingService(tokenizer, batcher, metrics, 256);
    loaded =
        new LoadedModel(
            config.modelId(),
            "OnnxRuntime",
            384,
            new ModelSettings(256, Pooling.MEAN, true),
            Prompts.NONE,
            service);
    state = new ServerState(ready -> {});
    http = new HttpApi(config, state, metrics, "test").start(0);
    api = new ApiClient(http.port());
  }

  @AfterEach
  void stop() {
    model.gate.release(1000);
    http.close();
    batcher.close();
    model.close();
    tokenizer.close();
  }

  private static String texts(int n) {
    return ApiClient.json(Map.of("texts", java.util.Collections.nCopies(n, "some text")));
  }

  @Test
  void queue_full_returns_429_with_retry_after_for_single_and_batch_requests_alike()
      throws Exception {
    state.ready(loaded);
    CompletableFuture<Reply> first = api.postAsync("/predict", texts(1));
    model.entered.await();
    CompletableFuture<Reply> three = api.postAsync("/predict", texts(3));
    await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queueDepth() == 3);

    Reply batchRefused = api.post("/predict", texts(2));
    CompletableFuture<Reply> lastSlot = api.postAsync("/predict", texts(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queueDepth() == 4);
    Reply singleRefused = api.post("/v1/embeddings", "{\"input\": \"one more\"}");

    for (Reply refused : List.of(batchRefused, singleRefused)) {
      assertThat(refused.status()).isEqualTo(429);
      assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
      assertThat(refused.json().at("/error/code").asText()).isEqualTo("queue_full");
      assertThat(refused.json().at("/error/type").asText()).isEqualTo("overloaded_error");
    }

    model.gate.release(1000);
    for (CompletableFuture<Reply> accepted : List.of(first, three, lastSlot)) {
      assertThat(accepted.get().status()).isEqualTo(200);
    }
    assertThat(three.get().json().get("embeddings")).hasSize(3);
    assertThat(api.post("/predict", texts(4)).status()).isEqualTo(200);
  }

  @Test
  void while_the_model_loads_inference_and_readiness_answer_503_and_liveness_200() {
    Reply predict = api.post("/predict", texts(1));

    assertThat(predict.status()).isEqualTo(503);
    assertThat(predict.json().at("/error/code").asText()).isEqualTo("not_ready");
    assertThat(api.get("/health/ready").status()).isEqualTo(503);
    assertThat(api.get("/info").status()).isEqualTo(503);
    assertThat(api.get("/health/live").status()).isEqualTo(200);
  }

  @Test
  void draining_turns_readiness_503_but_keeps_serving_until_closing() {
    model.gate.release(1000);
    state.ready(loaded);
    state.draining();

    assertThat(api.get("/health/ready").status()).isEqualTo(503);
    assertThat(api.get("/health/ready").json().get("status").asText()).isEqualTo("draining");
    assertThat(api.post("/predict", texts(1)).status()).isEqualTo(200);

    state.closing();
    Reply refused = api.post("/predict", texts(1));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.json().at("/error/code").asText()).isEqualTo("draining");
  }
}
