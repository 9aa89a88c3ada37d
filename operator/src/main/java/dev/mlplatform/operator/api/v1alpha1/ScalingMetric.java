package dev.mlplatform.operator.api.v1alpha1;

/**
 * What the HPA scales on. {@code queue} and {@code concurrency} are read from the model servers'
 * own {@code /metrics} by the operator, which serves them to the HPA as external metrics.
 */
public enum ScalingMetric {
  /** Average CPU (and optionally memory) utilisation, from metrics-server. */
  cpu,
  /** Texts waiting for a forward pass, per replica ({@code model_server_queue_depth}). */
  queue,
  /** HTTP requests being served, per replica ({@code model_server_requests_in_flight}). */
  concurrency
}
