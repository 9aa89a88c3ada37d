package dev.mlplatform.operator.resources;

import dev.mlplatform.contract.ServerEnv;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Builds {@code NAME-config}: the model server's environment (DESIGN.md "Model server"). */
public final class ConfigMapDesiredState {

  public static final String SUFFIX = "-config";

  private ConfigMapDesiredState() {}

  public static String name(String modelServerName) {
    return modelServerName + SUFFIX;
  }

  public static ConfigMap build(ModelServer owner, ResolvedSpec spec) {
    return new ConfigMapBuilder()
        .withMetadata(Owners.childMetadata(owner, spec, name(spec.name())))
        .withData(data(spec))
        .build();
  }

  /**
   * The environment, sorted by key. Extras from spec.config come first so that the keys the
   * operator derives from typed fields always win (INFERENCE_WORKERS and INFERENCE_THREADS, derived
   * from spec.resources, only when the extras set neither); the spec validation refuses such keys
   * in spec.config before this runs, so winning only matters to a caller that skips it. MODEL_URI
   * and MODEL_ENGINE are left out when the spec leaves them out: the server then uses the bundled
   * model of MODEL_ID and infers the engine.
   */
  public static Map<String, String> data(ResolvedSpec spec) {
    Map<String, String> data = new TreeMap<>(spec.extraConfig());
    data.putIfAbsent(
        ServerEnv.SHUTDOWN_DRAIN_SECONDS, String.valueOf(ServerPorts.DEFAULT_DRAIN_SECONDS));
    data.put(ServerEnv.MODEL_ID, spec.modelId());
    if (spec.model().serverUri() != null) {
      data.put(ServerEnv.MODEL_URI, spec.model().serverUri());
    } else {
      data.remove(ServerEnv.MODEL_URI);
    }
    if (spec.engine() != null) {
      data.put(ServerEnv.MODEL_ENGINE, spec.engine().name());
    } else {
      data.remove(ServerEnv.MODEL_ENGINE);
    }
    data.put(ServerEnv.MAX_SEQUENCE_LENGTH, String.valueOf(spec.maxSequenceLength()));
    data.put(ServerEnv.NORMALIZE, String.valueOf(spec.normalize()));
    data.put(ServerEnv.POOLING, spec.pooling().name());
    data.put(ServerEnv.MAX_BATCH_SIZE, String.valueOf(spec.maxBatchSize()));
    data.put(ServerEnv.MAX_BATCH_DELAY_MS, String.valueOf(spec.maxBatchDelayMillis()));
    data.put(ServerEnv.MAX_QUEUE_SIZE, String.valueOf(spec.maxQueueSize()));
    data.put(ServerEnv.HTTP_PORT, String.valueOf(ServerPorts.HTTP_PORT));
    data.put(ServerEnv.METRICS_PORT, String.valueOf(ServerPorts.METRICS_PORT));
    // sized to the pod's CPU budget unless the user chose either of the two in spec.config
    if (!data.containsKey(ServerEnv.INFERENCE_WORKERS)
        && !data.containsKey(ServerEnv.INFERENCE_THREADS)) {
      InferenceParallelism parallelism =
          InferenceParallelism.forCpus(InferenceParallelism.cpuBudget(spec.resources()));
      data.put(ServerEnv.INFERENCE_WORKERS, String.valueOf(parallelism.workers()));
      data.put(ServerEnv.INFERENCE_THREADS, String.valueOf(parallelism.threads()));
    }
    return data;
  }

  /** Hash of the data; a pod template annotation, so a config change rolls the pods. */
  public static String hash(Map<String, String> data) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(data)
          .forEach(
              (key, value) -> {
                digest.update(key.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(value.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
              });
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
