package dev.mlplatform.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.server.inference.Pooling;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  @Test
  void defaults_serve_the_bundled_model_on_8080_and_9090() {
    ServerConfig config = new ConfigLoader(Map.of()).load();

    assertThat(config.modelId()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(config.modelUri()).isEqualTo("bundled:all-minilm-l6-v2");
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.metricsPort()).isEqualTo(9090);
    assertThat(config.maxRequestBytes()).isEqualTo(2 * 1024 * 1024);
    assertThat(config.maxBatchSize()).isEqualTo(32);
    assertThat(config.maxBatchDelay()).isEqualTo(Duration.ofMillis(5));
    assertThat(config.maxQueueSize()).isEqualTo(1024);
    assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);
    // left to the model's own files
    assertThat(config.maxSequenceLength()).isNull();
    assertThat(config.pooling()).isNull();
    assertThat(config.normalize()).isNull();
    assertThat(config.engine()).isNull();
  }

  @Test
  void every_documented_key_is_read() {
    ServerConfig config =
        new ConfigLoader(
                Map.ofEntries(
                    Map.entry("MODEL_ID", "my/model"),
                    Map.entry("MODEL_URI", "file:///models/mine"),
                    Map.entry("MODEL_ENGINE", "onnxruntime"),
                    Map.entry("MAX_SEQUENCE_LENGTH", "128"),
                    Map.entry("NORMALIZE", "false"),
                    Map.entry("POOLING", "cls"),
                    Map.entry("MAX_BATCH_SIZE", "64"),
                    Map.entry("MAX_BATCH_DELAY_MS", "10"),
                    Map.entry("MAX_BATCH_TOKENS", "4096"),
                    Map.entry("MAX_QUEUE_SIZE", "100"),
                    Map.entry("MAX_INPUTS_PER_REQUEST", "50"),
                    Map.entry("MAX_REQUEST_BYTES", "4096"),
                    Map.entry("HTTP_PORT", "8000"),
                    Map.entry("METRICS_PORT", "9000"),
                    Map.entry("INFERENCE_WORKERS", "2"),
                    Map.entry("INFERENCE_THREADS", "3"),
                    Map.entry("SHUTDOWN_DRAIN_SECONDS", "7"),
                    Map.entry("LOG_FORMAT", "json"),
                    Map.entry("MODEL_CACHE_DIR", "/var/cache/models")))
            .load();

    assertThat(config.modelUri()).isEqualTo("file:///models/mine");
    assertThat(config.engine()).isEqualTo("OnnxRuntime");
    assertThat(config.maxSequenceLength()).isEqualTo(128);
    assertThat(config.normalize()).isFalse();
    assertThat(config.pooling()).isEqualTo(Pooling.CLS);
    assertThat(config.maxBatchSize()).isEqualTo(64);
    assertThat(config.maxBatchDelay()).isEqualTo(Duration.ofMillis(10));
    assertThat(config.maxBatchTokens()).isEqualTo(4096);
    assertThat(config.maxQueueSize()).isEqualTo(100);
    assertThat(config.maxInputsPerRequest()).isEqualTo(50);
    assertThat(config.maxRequestBytes()).isEqualTo(4096);
    assertThat(config.httpPort()).isEqualTo(8000);
    assertThat(config.metricsPort()).isEqualTo(9000);
    assertThat(config.inferenceWorkers()).isEqualTo(2);
    assertThat(config.inferenceThreads()).isEqualTo(3);
    assertThat(config.shutdownDrain()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(config.modelCacheDir()).hasToString("/var/cache/models");
  }

  @Test
  void unset_max_batch_tokens_grows_with_the_threads_of_a_pass() {
    ServerConfig oneThread =
        new ConfigLoader(Map.of("INFERENCE_WORKERS", "2", "INFERENCE_THREADS", "1")).load();
    ServerConfig threeThreads =
        new ConfigLoader(Map.of("INFERENCE_WORKERS", "1", "INFERENCE_THREADS", "3")).load();

    assertThat(oneThread.maxBatchTokens()).isEqualTo(256);
    assertThat(threeThreads.maxBatchTokens()).isEqualTo(768);
  }

  @ParameterizedTest
  @CsvSource({
    "MAX_BATCH_SIZE, 0",
    "MAX_BATCH_SIZE, many",
    // ASCII digits only, as the operator's check of spec.config reads them
    "MAX_BATCH_SIZE, +5",
    "MAX_BATCH_DELAY_MS, -1",
    "MAX_QUEUE_SIZE, 0",
    "MAX_REQUEST_BYTES, 10",
    "HTTP_PORT, 70000",
    "INFERENCE_THREADS, 0",
    "INFERENCE_WORKERS, 0",
    "INFERENCE_WORKERS, all",
    "SHUTDOWN_DRAIN_SECONDS, soon",
    "NORMALIZE, yes",
    "POOLING, max",
    "MODEL_ENGINE, TensorFlow",
    "LOG_FORMAT, xml",
    "MAX_SEQUENCE_LENGTH, 0",
    "MODEL_URI, s3://bucket/model"
  })
  void an_invalid_value_fails_naming_the_variable_and_the_value(String key, String value) {
    assertThatThrownBy(() -> new ConfigLoader(Map.of(key, value)).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(value);
  }

  @Test
  void more_inputs_per_request_than_the_queue_holds_is_refused() {
    assertThatThrownBy(
            () ->
                new ConfigLoader(Map.of("MAX_QUEUE_SIZE", "10", "MAX_INPUTS_PER_REQUEST", "11"))
                    .load())
        .hasMessageContaining("MAX_INPUTS_PER_REQUEST")
        .hasMessageContaining("10");
  }

  @Test
  void an_api_key_is_read_never_echoed_and_must_not_be_trivially_short() {
    ServerConfig config = new ConfigLoader(Map.of("API_KEY", "0123456789abcdef-long")).load();
    assertThat(config.requiresApiKey()).isTrue();
    assertThat(config.toString()).doesNotContain("0123456789abcdef-long").contains("apiKey=set");
    assertThat(new ConfigLoader(Map.of()).load().requiresApiKey()).isFalse();

    assertThatThrownBy(() -> new ConfigLoader(Map.of("API_KEY", "short-key")).load())
        .hasMessageContaining("API_KEY")
        .hasMessageNotContaining("short-key");
  }

  @Test
  void the_same_port_for_api_and_metrics_is_refused() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("HTTP_PORT", "9090")).load())
        .hasMessageContaining("METRICS_PORT");
  }

  /** The operator decides from the same list whether a pod must download its model first. */
  @Test
  void every_id_the_contract_calls_bundled_is_served_from_the_image() {
    for (String id : ModelUris.BUNDLED_MODEL_IDS) {
      assertThat(new ConfigLoader(Map.of("MODEL_ID", id)).load().modelUri())
          .as(id)
          .startsWith(ModelUris.BUNDLED);
      assertThat(ModelUris.downloads(id, null)).as(id).isFalse();
    }
    assertThat(ModelUris.downloads("BAAI/bge-small-en-v1.5", null)).isTrue();
  }

  @Test
  void a_model_id_that_is_not_bundled_is_fetched_from_the_hub() {
    ServerConfig config = new ConfigLoader(Map.of("MODEL_ID", "BAAI/bge-small-en-v1.5")).load();

    assertThat(config.modelUri()).isEqualTo("hf://BAAI/bge-small-en-v1.5@main");
    assertThat(config.hubEndpoint()).hasToString("https://huggingface.co");
  }

  @Test
  void a_model_id_that_is_neither_bundled_nor_a_hub_id_says_a_uri_is_needed() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("MODEL_ID", "my model")).load())
        .hasMessageContaining("MODEL_URI")
        .hasMessageContaining("'my model'");
  }

  @ParameterizedTest
  @CsvSource({
    "hf://BAAI/bge-small-en-v1.5, hf://BAAI/bge-small-en-v1.5@main",
    "hf://intfloat/e5-small-v2@v1.0, hf://intfloat/e5-small-v2@v1.0",
    "https://models.example/minilm.tar.gz, https://models.example/minilm.tar.gz",
    "hf://org/name@0123456789abcdef0123456789abcdef01234567,"
        + " hf://org/name@0123456789abcdef0123456789abcdef01234567"
  })
  void hub_and_archive_uris_are_accepted(String uri, String resolved) {
    assertThat(new ConfigLoader(Map.of("MODEL_URI", uri)).load().modelUri()).isEqualTo(resolved);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hf://no-slash",
        "hf://a/b/c",
        "hf://org/../x",
        "hf://org/name@",
        "s3://b/k",
        "https://h/model.onnx"
      })
  void malformed_model_uris_are_refused_naming_the_variable(String uri) {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("MODEL_URI", uri)).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MODEL_URI");
  }

  @Test
  void the_hub_token_is_never_printed() {
    ServerConfig config =
        new ConfigLoader(Map.of("MODEL_URI", "hf://org/private", "HF_TOKEN", "hf_abcdefghijklmnop"))
            .load();

    assertThat(config.hubToken()).isEqualTo("hf_abcdefghijklmnop");
    assertThat(config.toString()).doesNotContain("hf_abcdefghijklmnop").contains("hubToken=set");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://mirror", "not a url", "http://"})
  void a_hub_endpoint_must_be_an_http_url(String endpoint) {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("HF_ENDPOINT", endpoint)).load())
        .hasMessageContaining("HF_ENDPOINT");
  }

  @ParameterizedTest(name = "{0} CPUs, workers={1}, threads={2} -> {3} x {4}")
  @CsvSource(
      nullValues = "-",
      value = {
        // unset: single-threaded passes side by side, at most 4, the rest as threads
        "1, -, -, 1, 1",
        "2, -, -, 2, 1",
        "8, -, -, 4, 2",
        "16, -, -, 4, 4",
        // one set: the other takes the CPUs left
        "2, -, 2, 1, 2",
        "16, -, 8, 2, 8",
        "8, 1, -, 1, 8",
        "2, 4, -, 4, 1",
        // both set: as given
        "2, 3, 3, 3, 3"
      })
  void workers_and_threads_split_the_cpus_unless_set(
      int cpus, String workers, String threads, int expectedWorkers, int expectedThreads) {
    Map<String, String> env = new java.util.HashMap<>();
    if (workers != null) {
      env.put("INFERENCE_WORKERS", workers);
    }
    if (threads != null) {
      env.put("INFERENCE_THREADS", threads);
    }
    assertThat(new ConfigLoader(env).parallelism(cpus))
        .isEqualTo(new ConfigLoader.Parallelism(expectedWorkers, expectedThreads));
  }
}
