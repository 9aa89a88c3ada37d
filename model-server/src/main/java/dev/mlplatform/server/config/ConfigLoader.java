package dev.mlplatform.server.config;

import dev.mlplatform.contract.ServerEnv;
import dev.mlplatform.contract.ServerLimits;
import dev.mlplatform.server.fetch.ArchiveFetcher;
import dev.mlplatform.server.fetch.HubRepository;
import dev.mlplatform.server.inference.BundledModels;
import dev.mlplatform.server.inference.ModelEngine;
import dev.mlplatform.server.inference.Pooling;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads {@link ServerConfig} from environment variables (the operator's ConfigMap). Every key has a
 * default; an invalid value fails with a message that names the variable, the value and the rule.
 */
public final class ConfigLoader {
  public static final String DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2";
  static final long MIB = 1024L * 1024L;
  static final int MAX_DEFAULT_WORKERS = 4;

  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public ServerConfig load() {
    String modelId = string(ServerEnv.MODEL_ID, DEFAULT_MODEL_ID);
    String modelUri = modelUri(modelId);
    int maxQueueSize =
        integer(
            ServerEnv.MAX_QUEUE_SIZE,
            1024,
            ServerLimits.MAX_QUEUE_SIZE_MIN,
            ServerLimits.MAX_QUEUE_SIZE_MAX);
    int maxInputs = integer("MAX_INPUTS_PER_REQUEST", Math.min(256, maxQueueSize), 1, maxQueueSize);
    int httpPort = integer(ServerEnv.HTTP_PORT, 8080, 0, 65535);
    int metricsPort = integer(ServerEnv.METRICS_PORT, 9090, 0, 65535);
    if (httpPort != 0 && httpPort == metricsPort) {
      throw new ConfigException(
          "METRICS_PORT must differ from HTTP_PORT (both are " + httpPort + ")");
    }
    Parallelism parallelism = parallelism(Runtime.getRuntime().availableProcessors());
    return new ServerConfig(
        modelId,
        modelUri,
        optional(ServerEnv.MODEL_ENGINE, ConfigLoader::engine),
        optional(
            ServerEnv.MAX_SEQUENCE_LENGTH,
            v ->
                parseInt(
                    ServerEnv.MAX_SEQUENCE_LENGTH,
                    v,
                    ServerLimits.MAX_SEQUENCE_LENGTH_MIN,
                    ServerLimits.MAX_SEQUENCE_LENGTH_MAX)),
        optional(ServerEnv.NORMALIZE, v -> bool(ServerEnv.NORMALIZE, v)),
        optional(ServerEnv.POOLING, ConfigLoader::pooling),
        integer(
            ServerEnv.MAX_BATCH_SIZE,
            32,
            ServerLimits.MAX_BATCH_SIZE_MIN,
            ServerLimits.MAX_BATCH_SIZE_MAX),
        Duration.ofMillis(
            integer(
                ServerEnv.MAX_BATCH_DELAY_MS,
                5,
                ServerLimits.MAX_BATCH_DELAY_MS_MIN,
                ServerLimits.MAX_BATCH_DELAY_MS_MAX)),
        integer("MAX_BATCH_TOKENS", 16_384, 1, 10_000_000),
        maxQueueSize,
        maxInputs,
        longInteger("MAX_REQUEST_BYTES", 2 * MIB, 1024, 1024 * MIB),
        httpPort,
        metricsPort,
        parallelism.workers(),
        parallelism.threads(),
        Duration.ofSeconds(integer(ServerEnv.SHUTDOWN_DRAIN_SECONDS, 5, 0, 3600)),
        Duration.ofSeconds(integer(ServerEnv.MAX_CONNECTION_AGE_SECONDS, 30, 0, 86_400)),
        logFormat(),
        Path.of(string(ServerEnv.MODEL_CACHE_DIR, defaultCacheDir())),
        apiKey(),
        hubEndpoint(),
        optional(ServerEnv.HF_TOKEN, v -> v));
  }

  /** Forward passes at once and intra-op threads per pass. */
  record Parallelism(int workers, int threads) {}

  /**
   * Unset, the two split the CPUs the JVM sees (its cgroup limit in a container): up to {@value
   * #MAX_DEFAULT_WORKERS} workers of CPUs / workers threads each. Single-threaded passes side by
   * side beat one pass over all cores on small machines: an intra-op pool waits for its slowest
   * thread, and on two cores the HTTP threads keep taking one of them away. Set one and the other
   * takes the CPUs left; set both and they are used as given.
   */
  Parallelism parallelism(int cpus) {
    Integer workers =
        optional(ServerEnv.INFERENCE_WORKERS, v -> parseInt(ServerEnv.INFERENCE_WORKERS, v, 1, 64));
    Integer threads =
        optional(
            ServerEnv.INFERENCE_THREADS, v -> parseInt(ServerEnv.INFERENCE_THREADS, v, 1, 256));
    if (workers == null && threads == null) {
      workers = Math.min(cpus, MAX_DEFAULT_WORKERS);
    }
    if (workers == null) {
      workers = Math.max(1, Math.min(MAX_DEFAULT_WORKERS, cpus / threads));
    }
    if (threads == null) {
      threads = Math.max(1, cpus / workers);
    }
    return new Parallelism(workers, threads);
  }

  /**
   * Unset, the bundled model with the id, else the id's repository on the Hugging Face Hub (a
   * sentence-transformers id such as {@code BAAI/bge-small-en-v1.5}).
   */
  private String modelUri(String modelId) {
    String uri = env.get(ServerEnv.MODEL_URI);
    if (uri == null || uri.isBlank()) {
      return BundledModels.uriForModelId(modelId).orElseGet(() -> hubUri(modelId));
    }
    uri = uri.trim();
    if (uri.startsWith(HubRepository.SCHEME)) {
      try {
        return HubRepository.parse(uri).toString();
      } catch (IllegalArgumentException e) {
        throw new ConfigException("MODEL_URI " + e.getMessage());
      }
    }
    if (uri.startsWith("https://") || uri.startsWith("http://")) {
      if (ArchiveFetcher.accepts(uri)) {
        return uri;
      }
      throw new ConfigException(
          "MODEL_URI must be " + ArchiveFetcher.rule() + ", got '" + uri + "'");
    }
    if (!uri.startsWith("bundled:") && !uri.startsWith("file:")) {
      throw new ConfigException(
          "MODEL_URI must be bundled:<name>, file:///<dir>, hf://<org>/<name>[@<revision>] or "
              + ArchiveFetcher.rule()
              + ", got '"
              + uri
              + "'");
    }
    return uri;
  }

  private static String hubUri(String modelId) {
    try {
      return new HubRepository(modelId, "main").toString();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "MODEL_ID '"
              + modelId
              + "' is neither bundled ("
              + BundledModels.names()
              + ") nor a Hugging Face repository id (ORG/NAME); set MODEL_URI");
    }
  }

  private URI hubEndpoint() {
    String value = string(ServerEnv.HF_ENDPOINT, "https://huggingface.co");
    try {
      URI uri = new URI(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below with the rule
    }
    throw new ConfigException("HF_ENDPOINT must be an http(s) URL, got '" + value + "'");
  }

  private String apiKey() {
    String key = env.get(ServerEnv.API_KEY);
    if (key == null || key.isEmpty()) {
      return null;
    }
    if (key.strip().length() < 16) {
      // the value itself is never echoed
      throw new ConfigException("API_KEY must be at least 16 characters long");
    }
    return key.strip();
  }

  private LogFormat logFormat() {
    String value = string("LOG_FORMAT", "text").toUpperCase(Locale.ROOT);
    try {
      return LogFormat.valueOf(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "LOG_FORMAT must be text or json, got '" + env.get("LOG_FORMAT") + "'");
    }
  }

  private static ModelEngine engine(String value) {
    return ModelEngine.fromName(value)
        .orElseThrow(
            () ->
                new ConfigException(
                    "MODEL_ENGINE must be OnnxRuntime or PyTorch, got '" + value + "'"));
  }

  private static Pooling pooling(String value) {
    return Pooling.fromName(value)
        .orElseThrow(() -> new ConfigException("POOLING must be mean or cls, got '" + value + "'"));
  }

  private static boolean bool(String key, String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(key + " must be true or false, got '" + value + "'");
    };
  }

  private String string(String key, String fallback) {
    String value = env.get(key);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private <T> T optional(String key, Function<String, T> parser) {
    String value = env.get(key);
    return value == null || value.isBlank() ? null : parser.apply(value.trim());
  }

  private int integer(String key, int fallback, int min, int max) {
    String value = env.get(key);
    return value == null || value.isBlank() ? fallback : parseInt(key, value.trim(), min, max);
  }

  private long longInteger(String key, long fallback, long min, long max) {
    String value = env.get(key);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the rule
    }
    throw new ConfigException(
        key + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
  }

  private static int parseInt(String key, String value, int min, int max) {
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the rule
    }
    throw new ConfigException(
        key + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
  }

  private static String defaultCacheDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "mlplatform-models").toString();
  }
}
