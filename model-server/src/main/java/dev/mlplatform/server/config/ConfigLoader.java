package dev.mlplatform.server.config;

import dev.mlplatform.contract.ServerEnv;
import dev.mlplatform.contract.ServerSettings;
import dev.mlplatform.contract.SettingProblem;
import dev.mlplatform.server.fetch.ArchiveFetcher;
import dev.mlplatform.server.fetch.HubRepository;
import dev.mlplatform.server.inference.BundledModels;
import dev.mlplatform.server.inference.Pooling;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@link ServerConfig} from environment variables (the operator's ConfigMap). The values,
 * defaults and rules between keys are the contract's {@link ServerSettings}, which the operator
 * checks a ModelServer's {@code spec.config} against too; an invalid value fails with a message
 * that names the variable, the value and the rule.
 */
public final class ConfigLoader {
  public static final String DEFAULT_MODEL_ID = ServerSettings.DEFAULT_MODEL_ID;
  static final int MAX_DEFAULT_WORKERS = 4;
  static final int DEFAULT_MAX_INPUTS_PER_REQUEST = 256;

  /**
   * MAX_BATCH_TOKENS unset: padded tokens per pass per intra-op thread. On one thread a pass of
   * about 128 padded tokens already runs at the engine's full speed (8 x 16 tokens as fast per
   * token as one text of 191), so larger passes add no throughput, only the wait of the texts that
   * ride in them: on 2 cores, 256 against 16384 served as much or more in every shape of make bench
   * (fp32 and int8), with p99 20-40 % lower on the mixed corpus (docs/performance.md).
   */
  static final int DEFAULT_BATCH_TOKENS_PER_THREAD = 256;

  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public ServerConfig load() {
    List<SettingProblem> problems = ServerSettings.check(env);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.get(0).toString());
    }
    String modelId = text(ServerEnv.MODEL_ID).orElseThrow();
    String modelUri = modelUri(modelId);
    int maxQueueSize = integer(ServerEnv.MAX_QUEUE_SIZE);
    int httpPort = integer(ServerEnv.HTTP_PORT);
    Parallelism parallelism = parallelism(Runtime.getRuntime().availableProcessors());
    return new ServerConfig(
        modelId,
        modelUri,
        text(ServerEnv.MODEL_ENGINE).map(ConfigLoader::engineName).orElse(null),
        text(ServerEnv.MAX_SEQUENCE_LENGTH).map(Integer::valueOf).orElse(null),
        text(ServerEnv.NORMALIZE).map(Boolean::parseBoolean).orElse(null),
        text(ServerEnv.POOLING).flatMap(Pooling::fromName).orElse(null),
        integer(ServerEnv.MAX_BATCH_SIZE),
        Duration.ofMillis(integer(ServerEnv.MAX_BATCH_DELAY_MS)),
        text(ServerEnv.MAX_BATCH_TOKENS)
            .map(Integer::valueOf)
            .orElse(DEFAULT_BATCH_TOKENS_PER_THREAD * parallelism.threads()),
        maxQueueSize,
        text(ServerEnv.MAX_INPUTS_PER_REQUEST)
            .map(Integer::valueOf)
            .orElse(Math.min(DEFAULT_MAX_INPUTS_PER_REQUEST, maxQueueSize)),
        Long.parseLong(text(ServerEnv.MAX_REQUEST_BYTES).orElseThrow()),
        httpPort,
        integer(ServerEnv.METRICS_PORT),
        parallelism.workers(),
        parallelism.threads(),
        Duration.ofSeconds(integer(ServerEnv.SHUTDOWN_DRAIN_SECONDS)),
        Duration.ofSeconds(integer(ServerEnv.MAX_CONNECTION_AGE_SECONDS)),
        LogFormat.valueOf(text(ServerEnv.LOG_FORMAT).orElseThrow().toUpperCase(Locale.ROOT)),
        Path.of(text(ServerEnv.MODEL_CACHE_DIR).orElseGet(ConfigLoader::defaultCacheDir)),
        text(ServerEnv.API_KEY).orElse(null),
        URI.create(text(ServerEnv.HF_ENDPOINT).orElseThrow()),
        text(ServerEnv.HF_TOKEN).orElse(null));
  }

  /** As the contract spells it, whatever case the value was given in. */
  private static String engineName(String value) {
    return ServerSettings.ENGINES.stream()
        .filter(e -> e.equalsIgnoreCase(value))
        .findFirst()
        .orElseThrow();
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
    Integer workers = text(ServerEnv.INFERENCE_WORKERS).map(Integer::valueOf).orElse(null);
    Integer threads = text(ServerEnv.INFERENCE_THREADS).map(Integer::valueOf).orElse(null);
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

  /** The value {@code env} sets, trimmed, else the setting's default; already checked. */
  private Optional<String> text(String key) {
    return ServerSettings.of(key).effectiveIn(env);
  }

  private int integer(String key) {
    return Integer.parseInt(text(key).orElseThrow());
  }

  private static String defaultCacheDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "mlplatform-models").toString();
  }
}
