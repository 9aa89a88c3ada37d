package dev.mlplatform.operator.status;

/**
 * The ModelServer's condition types and reasons, all positive polarity. Ready, Progressing and
 * Degraded are always set; MonitoringReady only while spec.monitoring is enabled, and it never
 * affects the other three: a missing Prometheus Operator does not make a ModelServer unhealthy.
 */
public final class ConditionTypes {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String MONITORING_READY = "MonitoringReady";

  /** Set only while spec.autoscaling.metric is queue or concurrency. */
  public static final String AUTOSCALING_READY = "AutoscalingReady";

  /** Set only while the model is downloaded by the pods' fetch-model init container. */
  public static final String MODEL_READY = "ModelReady";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  public static final String REASON_INVALID_SPEC = "InvalidSpec";
  public static final String REASON_READY = "Ready";
  public static final String REASON_NO_READY_REPLICAS = "NoReadyReplicas";
  public static final String REASON_DEPLOYMENT_PENDING = "DeploymentPending";
  public static final String REASON_ROLLING_OUT = "RollingOut";
  public static final String REASON_ROLLOUT_COMPLETE = "RolloutComplete";
  public static final String REASON_AS_EXPECTED = "AsExpected";
  public static final String REASON_RECONCILE_FAILED = "ReconcileFailed";
  public static final String REASON_SERVICE_MONITOR_READY = "ServiceMonitorReady";
  public static final String REASON_SERVICE_MONITOR_CRD_MISSING = "ServiceMonitorCRDMissing";
  public static final String REASON_DISCOVERY_FAILED = "DiscoveryFailed";
  public static final String REASON_MODEL_FETCHED = "Fetched";
  public static final String REASON_EXTERNAL_METRIC_SERVED = "ExternalMetricServed";
  public static final String REASON_EXTERNAL_METRICS_UNAVAILABLE = "ExternalMetricsUnavailable";
  public static final String REASON_MODEL_FETCHING = "Fetching";

  /**
   * A fetch failed without a report saying why (e.g. killed); the reasons it reports are its own.
   */
  public static final String REASON_MODEL_FETCH_FAILED = "ModelFetchFailed";

  private ConditionTypes() {}
}
