package dev.mlplatform.operator.reconciler;

import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.operator.api.v1alpha1.AuthSpec;
import dev.mlplatform.operator.api.v1alpha1.AutoscalingSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.DisruptionBudgetSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelCacheSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServerSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelSpec;
import dev.mlplatform.operator.api.v1alpha1.MonitoringSpec;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.api.v1alpha1.SecretKeyRef;
import dev.mlplatform.operator.api.v1alpha1.ServiceSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CRD schema's rules, checked again in Java: an API server without CEL (or an object stored
 * before a rule existed) must still not yield broken children. Each problem names its field.
 */
public final class SpecValidator {

  private static final Pattern INTERVAL = Pattern.compile(MonitoringSpec.INTERVAL_PATTERN);
  private static final Pattern SIZE = Pattern.compile(ModelCacheSpec.SIZE_PATTERN);
  private static final Pattern STORAGE_CLASS =
      Pattern.compile(ModelCacheSpec.STORAGE_CLASS_PATTERN);

  private SpecValidator() {}

  /** Problems with {@code spec}, each starting with the field's path; empty when valid. */
  public static List<String> validate(ModelServerSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec: is required");
      return problems;
    }
    ModelSpec model = spec.getModel();
    if (model == null) {
      problems.add("spec.model: is required");
    } else {
      if (model.getId() == null || model.getId().isBlank()) {
        problems.add("spec.model.id: is required");
      }
      if (model.getUri() == null
          && model.getId() != null
          && !model.getId().isBlank()
          && !ModelUris.servableWithoutUri(model.getId())) {
        problems.add(
            "spec.model.uri: is required when spec.model.id ('"
                + model.getId()
                + "') is neither a bundled model nor a Hugging Face repository id (ORG/NAME)");
      }
      if (model.getUri() != null && !ModelUris.valid(model.getUri())) {
        problems.add(
            "spec.model.uri: must be " + ModelUris.FORMS + ", got '" + model.getUri() + "'");
      }
      range(
          problems,
          "spec.model.maxSequenceLength",
          model.getMaxSequenceLength(),
          1,
          ModelSpec.MAX_MAX_SEQUENCE_LENGTH);
      checkCache(problems, model.getCache());
    }
    if (spec.getImage() != null && (spec.getImage().isBlank() || spec.getImage().contains(" "))) {
      problems.add("spec.image: must be an image reference without spaces");
    }
    ReplicasSpec replicas = spec.getReplicas();
    if (replicas != null) {
      range(problems, "spec.replicas.min", replicas.getMin(), 1, Integer.MAX_VALUE);
      range(problems, "spec.replicas.max", replicas.getMax(), 1, Integer.MAX_VALUE);
      int min = Optional.ofNullable(replicas.getMin()).orElse(ReplicasSpec.DEFAULT_MIN);
      int max = Optional.ofNullable(replicas.getMax()).orElse(ReplicasSpec.DEFAULT_MAX);
      if (max < min) {
        problems.add("spec.replicas.max: must be >= spec.replicas.min (" + max + " < " + min + ")");
      }
    }
    AutoscalingSpec autoscaling = spec.getAutoscaling();
    if (autoscaling != null) {
      range(
          problems,
          "spec.autoscaling.targetCPUUtilizationPercentage",
          autoscaling.getTargetCPUUtilizationPercentage(),
          1,
          100);
      range(
          problems,
          "spec.autoscaling.targetMemoryUtilizationPercentage",
          autoscaling.getTargetMemoryUtilizationPercentage(),
          1,
          100);
      range(
          problems,
          "spec.autoscaling.scaleDownStabilizationSeconds",
          autoscaling.getScaleDownStabilizationSeconds(),
          0,
          AutoscalingSpec.MAX_SCALE_DOWN_STABILIZATION_SECONDS);
    }
    BatchingSpec batching = spec.getBatching();
    if (batching != null) {
      range(
          problems,
          "spec.batching.maxBatchSize",
          batching.getMaxBatchSize(),
          1,
          BatchingSpec.MAX_MAX_BATCH_SIZE);
      range(
          problems,
          "spec.batching.maxBatchDelayMillis",
          batching.getMaxBatchDelayMillis(),
          0,
          BatchingSpec.MAX_MAX_BATCH_DELAY_MILLIS);
      range(
          problems,
          "spec.batching.maxQueueSize",
          batching.getMaxQueueSize(),
          1,
          BatchingSpec.MAX_MAX_QUEUE_SIZE);
    }
    DisruptionBudgetSpec pdb = spec.getDisruptionBudget();
    if (pdb != null) {
      if (pdb.getMaxUnavailable() != null && pdb.getMinAvailable() != null) {
        problems.add("spec.disruptionBudget: set at most one of maxUnavailable and minAvailable");
      }
      range(
          problems,
          "spec.disruptionBudget.maxUnavailable",
          pdb.getMaxUnavailable(),
          0,
          Integer.MAX_VALUE);
      range(
          problems,
          "spec.disruptionBudget.minAvailable",
          pdb.getMinAvailable(),
          0,
          Integer.MAX_VALUE);
    }
    ServiceSpec service = spec.getService();
    if (service != null) {
      range(problems, "spec.service.port", service.getPort(), 1, 65535);
    }
    ServerConfigValidator.check(problems, spec.getConfig(), queueSize(spec.getBatching()));
    MonitoringSpec monitoring = spec.getMonitoring();
    if (monitoring != null) {
      String interval = monitoring.getInterval();
      if (interval != null
          && (interval.length() < 2
              || interval.length() > 20
              || !INTERVAL.matcher(interval).matches())) {
        problems.add(
            "spec.monitoring.interval: must be a Prometheus duration such as 30s, 1m or 1m30s,"
                + " got '"
                + interval
                + "'");
      } else if (interval != null && !interval.matches(".*[1-9].*")) {
        problems.add("spec.monitoring.interval: must be longer than zero, got '" + interval + "'");
      }
      LabelSyntax.checkLabels(problems, "spec.monitoring.labels", monitoring.getLabels());
    }
    NetworkPolicySpec networkPolicy = spec.getNetworkPolicy();
    if (networkPolicy != null) {
      List<String> names =
          Optional.ofNullable(networkPolicy.getAllowedNamespaces()).orElse(List.of());
      for (int i = 0; i < names.size(); i++) {
        if (!LabelSyntax.validNamespace(names.get(i))) {
          problems.add(
              "spec.networkPolicy.allowedNamespaces["
                  + i
                  + "]: '"
                  + names.get(i)
                  + "' is not a namespace name");
        }
      }
      var selectors =
          Optional.ofNullable(networkPolicy.getAllowedNamespaceSelectors()).orElse(List.of());
      for (int i = 0; i < selectors.size(); i++) {
        if (selectors.get(i) == null) {
          problems.add("spec.networkPolicy.allowedNamespaceSelectors[" + i + "]: must not be null");
        }
        LabelSyntax.checkSelector(
            problems, "spec.networkPolicy.allowedNamespaceSelectors[" + i + "]", selectors.get(i));
      }
      LabelSyntax.checkSelector(
          problems,
          "spec.networkPolicy.metricsNamespaceSelector",
          networkPolicy.getMetricsNamespaceSelector());
    }
    AuthSpec auth = spec.getAuth();
    if (auth != null && auth.getApiKeySecretRef() != null) {
      SecretKeyRef ref = auth.getApiKeySecretRef();
      if (ref.getName() == null || ref.getName().isBlank()) {
        problems.add("spec.auth.apiKeySecretRef.name: is required");
      }
      if (ref.getKey() == null || ref.getKey().isBlank()) {
        problems.add("spec.auth.apiKeySecretRef.key: is required");
      }
    }
    return problems;
  }

  /** The queue size the ConfigMap will carry, which bounds MAX_INPUTS_PER_REQUEST. */
  private static int queueSize(BatchingSpec batching) {
    return Optional.ofNullable(batching)
        .map(BatchingSpec::getMaxQueueSize)
        .orElse(BatchingSpec.DEFAULT_MAX_QUEUE_SIZE);
  }

  private static void checkCache(List<String> problems, ModelCacheSpec cache) {
    if (cache == null) {
      return;
    }
    String size = cache.getSize();
    if (size != null && !validSize(size)) {
      problems.add(
          "spec.model.cache.size: must be a quantity larger than zero such as 10Gi, got '"
              + size
              + "'");
    }
    String storageClass = cache.getStorageClassName();
    if (storageClass != null && !STORAGE_CLASS.matcher(storageClass).matches()) {
      problems.add(
          "spec.model.cache.storageClassName: '" + storageClass + "' is not a StorageClass name");
    }
  }

  private static boolean validSize(String size) {
    if (!SIZE.matcher(size).matches()) {
      return false;
    }
    return Quantity.getAmountInBytes(new Quantity(size)).signum() > 0;
  }

  private static void range(List<String> problems, String field, Integer value, int min, int max) {
    if (value == null) {
      return;
    }
    if (value < min || value > max) {
      String bound = max == Integer.MAX_VALUE ? ">= " + min : "in " + min + ".." + max;
      problems.add(field + ": must be " + bound + ", got " + value);
    }
  }
}
