package dev.mlplatform.contract;

import dev.mlplatform.contract.ServerSetting.Owner;
import dev.mlplatform.contract.ValueRule.AnyText;
import dev.mlplatform.contract.ValueRule.HttpUrl;
import dev.mlplatform.contract.ValueRule.OneOf;
import dev.mlplatform.contract.ValueRule.Secret;
import dev.mlplatform.contract.ValueRule.WholeNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key of the model server's environment and what it takes: the server's config loader refuses
 * to start on what {@link #check} refuses, and the operator refuses a ModelServer whose {@code
 * spec.config} sets a key it owns, a key not listed here, or a value {@link #check} refuses
 * (Degraded/InvalidSpec), so a bad value is reported before any pod crash-loops on it.
 */
public final class ServerSettings {
  public static final String DEFAULT_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2";
  public static final int API_KEY_MIN_LENGTH = 16;
  public static final long MAX_REQUEST_BYTES_MAX = 1024L * 1024 * 1024;

  private static final String SECRET = "a secret does not belong in the ConfigMap";

  /**
   * The engines {@code MODEL_ENGINE} names, as the CRD's {@code spec.model.engine} enum and DJL
   * spell them: the model server has a backend for each (its {@code EngineRegistry}), the operator
   * an {@code Engine} value; tests on both sides hold them to this list.
   */
  public static final List<String> ENGINES = List.of("OnnxRuntime", "PyTorch");

  public static final List<ServerSetting> ALL =
      List.of(
          owned(ServerEnv.MODEL_ID, new AnyText(), DEFAULT_MODEL_ID, "spec.model.id", null),
          owned(ServerEnv.MODEL_URI, new AnyText(), null, "spec.model.uri", null),
          owned(ServerEnv.MODEL_ENGINE, new OneOf(ENGINES), null, "spec.model.engine", null),
          owned(
              ServerEnv.MAX_SEQUENCE_LENGTH,
              new WholeNumber(
                  ServerLimits.MAX_SEQUENCE_LENGTH_MIN, ServerLimits.MAX_SEQUENCE_LENGTH_MAX),
              null,
              "spec.model.maxSequenceLength",
              null),
          owned(
              ServerEnv.NORMALIZE,
              new OneOf(List.of("true", "false")),
              null,
              "spec.model.normalize",
              null),
          owned(
              ServerEnv.POOLING,
              new OneOf(List.of("mean", "cls")),
              null,
              "spec.model.pooling",
              null),
          owned(
              ServerEnv.MAX_BATCH_SIZE,
              new WholeNumber(ServerLimits.MAX_BATCH_SIZE_MIN, ServerLimits.MAX_BATCH_SIZE_MAX),
              "32",
              "spec.batching.maxBatchSize",
              null),
          owned(
              ServerEnv.MAX_BATCH_DELAY_MS,
              new WholeNumber(
                  ServerLimits.MAX_BATCH_DELAY_MS_MIN, ServerLimits.MAX_BATCH_DELAY_MS_MAX),
              "5",
              "spec.batching.maxBatchDelayMillis",
              null),
          owned(
              ServerEnv.MAX_QUEUE_SIZE,
              new WholeNumber(ServerLimits.MAX_QUEUE_SIZE_MIN, ServerLimits.MAX_QUEUE_SIZE_MAX),
              "1024",
              "spec.batching.maxQueueSize",
              null),
          // unset, 256 per intra-op thread of a pass (the server's ConfigLoader)
          settable(ServerEnv.MAX_BATCH_TOKENS, new WholeNumber(1, 10_000_000), null),
          // at most MAX_QUEUE_SIZE as well (check); unset, 256 or MAX_QUEUE_SIZE if smaller
          settable(
              ServerEnv.MAX_INPUTS_PER_REQUEST,
              new WholeNumber(1, ServerLimits.MAX_QUEUE_SIZE_MAX),
              null),
          settable(
              ServerEnv.MAX_REQUEST_BYTES,
              new WholeNumber(1024, MAX_REQUEST_BYTES_MAX),
              String.valueOf(2 * 1024 * 1024)),
          owned(
              ServerEnv.HTTP_PORT,
              new WholeNumber(0, 65535),
              "8080",
              "spec.service.port",
              "the container listens on its fixed port; the Service's port is yours"),
          owned(
              ServerEnv.METRICS_PORT,
              new WholeNumber(0, 65535),
              "9090",
              null,
              "the pod's metrics port is fixed for probes and scraping"),
          // unset, both split the CPUs the JVM sees
          settable(ServerEnv.INFERENCE_WORKERS, new WholeNumber(1, 64), null),
          settable(ServerEnv.INFERENCE_THREADS, new WholeNumber(1, 256), null),
          settable(ServerEnv.SHUTDOWN_DRAIN_SECONDS, new WholeNumber(0, 3600), "5"),
          settable(ServerEnv.MAX_CONNECTION_AGE_SECONDS, new WholeNumber(0, 86_400), "30"),
          settable(ServerEnv.LOG_FORMAT, new OneOf(List.of("text", "json")), "text"),
          owned(
              ServerEnv.MODEL_CACHE_DIR,
              new AnyText(),
              null,
              "spec.model.cache",
              "the pod's cache volume"),
          owned(
              ServerEnv.DJL_CACHE_DIR,
              new AnyText(),
              null,
              null,
              "the pod's cache volume; the root filesystem is read-only"),
          owned(
              ServerEnv.ENGINE_CACHE_DIR,
              new AnyText(),
              null,
              null,
              "the pod's cache volume; the root filesystem is read-only"),
          owned(
              ServerEnv.API_KEY,
              new Secret(API_KEY_MIN_LENGTH),
              null,
              "spec.auth.apiKeySecretRef",
              SECRET),
          settable(ServerEnv.HF_ENDPOINT, new HttpUrl(), "https://huggingface.co"),
          owned(ServerEnv.HF_TOKEN, new AnyText(), null, "spec.model.tokenSecretRef", SECRET),
          owned(
              ServerEnv.TERMINATION_LOG,
              new AnyText(),
              "/dev/termination-log",
              null,
              "the container's termination message"),
          settable(ServerEnv.JAVA_OPTS, new AnyText(), null));

  /**
   * The CRD's CEL rule on {@code spec.config}: only keys listed here (the operator's own keys too,
   * so that those get the status message naming the field to use instead). A literal, as an
   * annotation needs; a test checks it against {@link #ALL}.
   */
  public static final String KNOWN_KEYS_RULE =
      "self.all(k, k in ['MODEL_ID', 'MODEL_URI', 'MODEL_ENGINE', 'MAX_SEQUENCE_LENGTH',"
          + " 'NORMALIZE', 'POOLING', 'MAX_BATCH_SIZE', 'MAX_BATCH_DELAY_MS', 'MAX_QUEUE_SIZE',"
          + " 'MAX_BATCH_TOKENS', 'MAX_INPUTS_PER_REQUEST', 'MAX_REQUEST_BYTES', 'HTTP_PORT',"
          + " 'METRICS_PORT', 'INFERENCE_WORKERS', 'INFERENCE_THREADS', 'SHUTDOWN_DRAIN_SECONDS',"
          + " 'MAX_CONNECTION_AGE_SECONDS', 'LOG_FORMAT', 'MODEL_CACHE_DIR', 'DJL_CACHE_DIR', 'ENGINE_CACHE_DIR', 'API_KEY',"
          + " 'HF_ENDPOINT', 'HF_TOKEN', 'TERMINATION_LOG', 'JAVA_OPTS'])";

  /** What {@link #KNOWN_KEYS_RULE} refuses, in words. */
  public static final String KNOWN_KEYS_MESSAGE =
      "spec.config takes only the model server's settings: MAX_BATCH_TOKENS,"
          + " MAX_INPUTS_PER_REQUEST, MAX_REQUEST_BYTES, INFERENCE_WORKERS, INFERENCE_THREADS,"
          + " SHUTDOWN_DRAIN_SECONDS, MAX_CONNECTION_AGE_SECONDS, LOG_FORMAT, HF_ENDPOINT, JAVA_OPTS";

  /** More keys than there are settings cannot be valid; the bound also caps the rule's cost. */
  public static final int MAX_KEYS = 32;

  private static final Map<String, ServerSetting> BY_KEY =
      ALL.stream().collect(Collectors.toUnmodifiableMap(ServerSetting::key, Function.identity()));

  private ServerSettings() {}

  private static ServerSetting settable(String key, ValueRule rule, String defaultValue) {
    return new ServerSetting(key, rule, defaultValue, null);
  }

  private static ServerSetting owned(
      String key, ValueRule rule, String defaultValue, String useInstead, String why) {
    return new ServerSetting(key, rule, defaultValue, new Owner(useInstead, why));
  }

  public static Optional<ServerSetting> find(String key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }

  /** The setting of a key this class lists; a typo in a caller fails at once. */
  public static ServerSetting of(String key) {
    return find(key).orElseThrow(() -> new IllegalArgumentException("no server setting " + key));
  }

  /** The keys {@code spec.config} may set, in the order above. */
  public static List<String> userSettableKeys() {
    return ALL.stream().filter(ServerSetting::userSettable).map(ServerSetting::key).toList();
  }

  /**
   * What the server would refuse in {@code env}: each listed key's value, then the rules between
   * keys. Keys not listed here are not judged (a process environment holds many).
   */
  public static List<SettingProblem> check(Map<String, String> env) {
    List<SettingProblem> problems = new ArrayList<>();
    for (ServerSetting setting : ALL) {
      setting.problemIn(env).ifPresent(problems::add);
    }
    if (problems.isEmpty()) {
      inputsWithinQueue(env).ifPresent(problems::add);
      distinctPorts(env).ifPresent(problems::add);
    }
    return problems;
  }

  /** A request's texts must fit the queue at once, or it could never be admitted. */
  private static Optional<SettingProblem> inputsWithinQueue(Map<String, String> env) {
    Optional<String> inputs = of(ServerEnv.MAX_INPUTS_PER_REQUEST).valueIn(env);
    long queue = Long.parseLong(of(ServerEnv.MAX_QUEUE_SIZE).effectiveIn(env).orElseThrow());
    if (inputs.isPresent() && Long.parseLong(inputs.get()) > queue) {
      return Optional.of(
          new SettingProblem(
              ServerEnv.MAX_INPUTS_PER_REQUEST,
              "must be at most MAX_QUEUE_SIZE (" + queue + "), got '" + inputs.get() + "'"));
    }
    return Optional.empty();
  }

  /** Port 0 (any free port) is the one value the two may share. */
  private static Optional<SettingProblem> distinctPorts(Map<String, String> env) {
    long http = Long.parseLong(of(ServerEnv.HTTP_PORT).effectiveIn(env).orElseThrow());
    long metrics = Long.parseLong(of(ServerEnv.METRICS_PORT).effectiveIn(env).orElseThrow());
    if (http != 0 && http == metrics) {
      return Optional.of(
          new SettingProblem(
              ServerEnv.METRICS_PORT, "must differ from HTTP_PORT (both are " + http + ")"));
    }
    return Optional.empty();
  }
}
