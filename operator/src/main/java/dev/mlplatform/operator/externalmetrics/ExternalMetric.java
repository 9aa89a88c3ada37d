package dev.mlplatform.operator.externalmetrics;

import dev.mlplatform.operator.api.v1alpha1.ScalingMetric;
import java.util.Arrays;
import java.util.Optional;

/**
 * The external metrics the operator serves: each is the sum of one model-server gauge over a
 * ModelServer's ready pods, named as the gauge is on the pods' {@code /metrics}.
 */
public enum ExternalMetric {
  QUEUE_DEPTH("model_server_queue_depth"),
  REQUESTS_IN_FLIGHT("model_server_requests_in_flight");

  public static final String GROUP = "external.metrics.k8s.io";
  public static final String VERSION = "v1beta1";
  public static final String GROUP_VERSION = GROUP + "/" + VERSION;
  public static final String API_SERVICE = VERSION + "." + GROUP;

  private final String metricName;

  ExternalMetric(String metricName) {
    this.metricName = metricName;
  }

  /** The name in the HPA, the API path and the pods' exposition. */
  public String metricName() {
    return metricName;
  }

  /** The metric serving {@code scaling}; empty for cpu, which metrics-server serves. */
  public static Optional<ExternalMetric> of(ScalingMetric scaling) {
    return switch (scaling) {
      case cpu -> Optional.empty();
      case queue -> Optional.of(QUEUE_DEPTH);
      case concurrency -> Optional.of(REQUESTS_IN_FLIGHT);
    };
  }

  public static Optional<ExternalMetric> named(String name) {
    return Arrays.stream(values()).filter(m -> m.metricName.equals(name)).findFirst();
  }
}
