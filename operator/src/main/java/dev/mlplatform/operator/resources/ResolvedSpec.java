package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.AuthSpec;
import dev.mlplatform.operator.api.v1alpha1.AutoscalingSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.DisruptionBudgetSpec;
import dev.mlplatform.operator.api.v1alpha1.Engine;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelServerSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelSpec;
import dev.mlplatform.operator.api.v1alpha1.MonitoringSpec;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.api.v1alpha1.PodSpecOverrides;
import dev.mlplatform.operator.api.v1alpha1.Pooling;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.api.v1alpha1.ScalingMetric;
import dev.mlplatform.operator.api.v1alpha1.ScalingRules;
import dev.mlplatform.operator.api.v1alpha1.SecretKeyRef;
import dev.mlplatform.operator.api.v1alpha1.ServiceSpec;
import dev.mlplatform.operator.api.v1alpha1.ServiceType;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A ModelServer's spec with every default filled in. The defaults match the CRD schema's (a test
 * checks that), so a cluster that applied the schema defaults and one that did not (the mock API
 * server, or an older object) give the same children. Nothing here is written back to the spec.
 *
 * @param defaultImage the operator's DEFAULT_SERVER_IMAGE, used when spec.image is absent
 * @param modelCache the shared model cache claim, or empty for a pod-local emptyDir
 */
public record ResolvedSpec(
    String name,
    String namespace,
    String image,
    String modelId,
    ModelSource model,
    Optional<ModelCache> modelCache,
    Engine engine,
    int maxSequenceLength,
    boolean normalize,
    Pooling pooling,
    int minReplicas,
    int maxReplicas,
    ResourceRequirements resources,
    Autoscaling autoscaling,
    int maxBatchSize,
    int maxBatchDelayMillis,
    int maxQueueSize,
    Integer pdbMaxUnavailable,
    Integer pdbMinAvailable,
    Map<String, String> extraConfig,
    PodSpecOverrides pod,
    ServiceType serviceType,
    int servicePort,
    SecretKeyRef apiKeySecret,
    Monitoring monitoring,
    NetworkAccess networkPolicy) {

  /**
   * spec.autoscaling with its defaults.
   *
   * @param targetPerReplica the queue or concurrency target per replica (unused for cpu)
   * @param scaleUp scale-up policies; null keeps Kubernetes' defaults
   * @param scaleDown scale-down policies; null keeps Kubernetes' defaults
   */
  public record Autoscaling(
      ScalingMetric metric,
      int targetPerReplica,
      int targetCpuUtilization,
      Integer targetMemoryUtilization,
      int scaleUpStabilizationSeconds,
      int scaleDownStabilizationSeconds,
      ScalingRules scaleUp,
      ScalingRules scaleDown) {}

  /**
   * spec.monitoring with its defaults.
   *
   * @param labels the user's extra ServiceMonitor labels, sorted
   */
  public record Monitoring(boolean enabled, String interval, Map<String, String> labels) {}

  /**
   * spec.networkPolicy with its defaults.
   *
   * @param allowedNamespaces namespaces (by name) admitted to the HTTP port; the ModelServer's own
   *     namespace when the spec names neither namespaces nor selectors
   * @param allowedNamespaceSelectors namespaces (by labels) admitted to the HTTP port
   * @param metricsNamespaceSelector namespaces admitted to the metrics port
   */
  public record NetworkAccess(
      boolean enabled,
      List<String> allowedNamespaces,
      List<LabelSelector> allowedNamespaceSelectors,
      LabelSelector metricsNamespaceSelector) {}

  /** The metrics namespace selector when the spec has none: the namespace "monitoring". */
  public static LabelSelector defaultMetricsNamespaceSelector() {
    return new LabelSelectorBuilder()
        .addToMatchLabels(
            NetworkPolicySpec.NAMESPACE_NAME_LABEL, NetworkPolicySpec.DEFAULT_METRICS_NAMESPACE)
        .build();
  }

  /** Resources when spec.resources is absent: enough for a MiniLM-class model. */
  public static ResourceRequirements defaultResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("1"))
        .addToRequests("memory", new Quantity("1Gi"))
        .addToLimits("memory", new Quantity("2Gi"))
        .build();
  }

  /** Resolves the spec of {@code server}; the spec must already have passed validation. */
  public static ResolvedSpec of(ModelServer server, String defaultImage) {
    ModelServerSpec spec = Objects.requireNonNull(server.getSpec(), "spec");
    ModelSpec model = Objects.requireNonNull(spec.getModel(), "spec.model");
    ReplicasSpec replicas = Optional.ofNullable(spec.getReplicas()).orElseGet(ReplicasSpec::new);
    AutoscalingSpec autoscaling =
        Optional.ofNullable(spec.getAutoscaling()).orElseGet(AutoscalingSpec::new);
    BatchingSpec batching = Optional.ofNullable(spec.getBatching()).orElseGet(BatchingSpec::new);
    DisruptionBudgetSpec pdb =
        Optional.ofNullable(spec.getDisruptionBudget()).orElseGet(DisruptionBudgetSpec::new);
    ServiceSpec service = Optional.ofNullable(spec.getService()).orElseGet(ServiceSpec::new);
    boolean pdbUnset = pdb.getMaxUnavailable() == null && pdb.getMinAvailable() == null;
    return new ResolvedSpec(
        server.getMetadata().getName(),
        server.getMetadata().getNamespace(),
        or(spec.getImage(), defaultImage),
        model.getId(),
        new ModelSource(model.getId(), model.getUri(), model.getTokenSecretRef()),
        ModelCache.of(model.getCache()),
        model.getEngine(),
        or(model.getMaxSequenceLength(), ModelSpec.DEFAULT_MAX_SEQUENCE_LENGTH),
        or(model.getNormalize(), ModelSpec.DEFAULT_NORMALIZE),
        or(model.getPooling(), ModelSpec.DEFAULT_POOLING),
        or(replicas.getMin(), ReplicasSpec.DEFAULT_MIN),
        or(replicas.getMax(), ReplicasSpec.DEFAULT_MAX),
        or(spec.getResources(), defaultResources()),
        autoscaling(
            autoscaling, or(batching.getMaxBatchSize(), BatchingSpec.DEFAULT_MAX_BATCH_SIZE)),
        or(batching.getMaxBatchSize(), BatchingSpec.DEFAULT_MAX_BATCH_SIZE),
        or(batching.getMaxBatchDelayMillis(), BatchingSpec.DEFAULT_MAX_BATCH_DELAY_MILLIS),
        or(batching.getMaxQueueSize(), BatchingSpec.DEFAULT_MAX_QUEUE_SIZE),
        pdbUnset
            ? Integer.valueOf(DisruptionBudgetSpec.DEFAULT_MAX_UNAVAILABLE)
            : pdb.getMaxUnavailable(),
        pdb.getMinAvailable(),
        new TreeMap<>(Optional.ofNullable(spec.getConfig()).orElse(Map.of())),
        Optional.ofNullable(spec.getPod()).orElseGet(PodSpecOverrides::new),
        or(service.getType(), ServiceSpec.DEFAULT_TYPE),
        or(service.getPort(), ServiceSpec.DEFAULT_PORT),
        Optional.ofNullable(spec.getAuth()).map(AuthSpec::getApiKeySecretRef).orElse(null),
        monitoring(spec.getMonitoring()),
        networkAccess(spec.getNetworkPolicy(), server.getMetadata().getNamespace()));
  }

  private static Autoscaling autoscaling(AutoscalingSpec spec, int maxBatchSize) {
    ScalingMetric metric = or(spec.getMetric(), ScalingMetric.cpu);
    int defaultTarget =
        metric == ScalingMetric.queue ? maxBatchSize : AutoscalingSpec.DEFAULT_CONCURRENCY_TARGET;
    return new Autoscaling(
        metric,
        or(spec.getTargetPerReplica(), defaultTarget),
        or(spec.getTargetCPUUtilizationPercentage(), AutoscalingSpec.DEFAULT_TARGET_CPU),
        spec.getTargetMemoryUtilizationPercentage(),
        or(spec.getScaleUpStabilizationSeconds(), 0),
        or(
            spec.getScaleDownStabilizationSeconds(),
            AutoscalingSpec.DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS),
        spec.getScaleUp(),
        spec.getScaleDown());
  }

  private static Monitoring monitoring(MonitoringSpec spec) {
    MonitoringSpec monitoring = Optional.ofNullable(spec).orElseGet(MonitoringSpec::new);
    return new Monitoring(
        or(monitoring.getEnabled(), MonitoringSpec.DEFAULT_ENABLED),
        or(monitoring.getInterval(), MonitoringSpec.DEFAULT_INTERVAL),
        new TreeMap<>(Optional.ofNullable(monitoring.getLabels()).orElse(Map.of())));
  }

  private static NetworkAccess networkAccess(NetworkPolicySpec spec, String namespace) {
    NetworkPolicySpec policy = Optional.ofNullable(spec).orElseGet(NetworkPolicySpec::new);
    List<String> names = Optional.ofNullable(policy.getAllowedNamespaces()).orElse(List.of());
    List<LabelSelector> selectors =
        Optional.ofNullable(policy.getAllowedNamespaceSelectors()).orElse(List.of());
    if (names.isEmpty() && selectors.isEmpty()) {
      names = List.of(namespace);
    }
    return new NetworkAccess(
        or(policy.getEnabled(), NetworkPolicySpec.DEFAULT_ENABLED),
        List.copyOf(names),
        List.copyOf(selectors),
        or(policy.getMetricsNamespaceSelector(), defaultMetricsNamespaceSelector()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
