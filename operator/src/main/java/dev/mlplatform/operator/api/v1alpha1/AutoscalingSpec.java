package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** What the HPA scales on, its target, and how fast it may move. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.targetPerReplica) || !has(self.metric) || self.metric != 'cpu'",
    message =
        "targetPerReplica applies to metric queue or concurrency; with metric cpu set"
            + " targetCPUUtilizationPercentage")
public class AutoscalingSpec {

  public static final int DEFAULT_TARGET_CPU = 70;
  public static final int DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 300;
  public static final int MAX_SCALE_DOWN_STABILIZATION_SECONDS = 3600;
  public static final int MAX_TARGET_PER_REPLICA = 1_000_000;

  /**
   * Requests in flight per replica when spec.autoscaling.targetPerReplica is absent: enough to keep
   * a replica's batches full without queueing for long.
   */
  public static final int DEFAULT_CONCURRENCY_TARGET = 8;

  /** The signal the HPA scales on. */
  @Default("cpu")
  @JsonPropertyDescription(
      "What the HPA scales on: cpu (average CPU utilisation, needs metrics-server; default),"
          + " queue (texts waiting for a forward pass per replica) or concurrency (HTTP requests"
          + " in flight per replica). queue and concurrency are read from the pods' /metrics by"
          + " the operator, which serves them as external.metrics.k8s.io; where it cannot, the"
          + " AutoscalingReady condition says why and the HPA scales on cpu.")
  private ScalingMetric metric;

  /** Average of the queue or concurrency metric per replica that the HPA aims for. */
  @Min(1)
  @Max(MAX_TARGET_PER_REPLICA)
  @JsonPropertyDescription(
      "Per-replica value of the queue or concurrency metric the HPA aims for (replicas = ceil(sum"
          + " over pods / target)). Default: queue spec.batching.maxBatchSize (one full batch"
          + " waiting), concurrency 8.")
  private Integer targetPerReplica;

  /** Average CPU utilisation the HPA aims for. */
  @Min(1)
  @Max(100)
  @Default("70")
  @JsonPropertyDescription(
      "Average CPU utilisation (percent of requests) the HPA aims for. 1..100, default 70.")
  private Integer targetCPUUtilizationPercentage;

  /** Average memory utilisation the HPA aims for; no memory metric when absent. */
  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Average memory utilisation (percent of requests) the HPA aims for. 1..100; when absent the"
          + " HPA does not scale on memory.")
  private Integer targetMemoryUtilizationPercentage;

  /** Scale-down stabilization window. */
  @Min(0)
  @Max(MAX_SCALE_DOWN_STABILIZATION_SECONDS)
  @Default("300")
  @JsonPropertyDescription(
      "Seconds the HPA looks back before scaling down, to avoid flapping. 0..3600, default 300.")
  private Integer scaleDownStabilizationSeconds;

  /** Scale-up stabilization window. */
  @Min(0)
  @Max(MAX_SCALE_DOWN_STABILIZATION_SECONDS)
  @Default("0")
  @JsonPropertyDescription(
      "Seconds the HPA looks back before scaling up (it takes the lowest recommendation in the"
          + " window). 0..3600, default 0: scale up at once.")
  private Integer scaleUpStabilizationSeconds;

  /** How fast the HPA may add replicas. */
  @JsonPropertyDescription("Scale-up policies; absent: Kubernetes' defaults.")
  private ScalingRules scaleUp;

  /** How fast the HPA may remove replicas. */
  @JsonPropertyDescription("Scale-down policies; absent: Kubernetes' defaults.")
  private ScalingRules scaleDown;

  public ScalingMetric getMetric() {
    return metric;
  }

  public void setMetric(ScalingMetric metric) {
    this.metric = metric;
  }

  public Integer getTargetPerReplica() {
    return targetPerReplica;
  }

  public void setTargetPerReplica(Integer targetPerReplica) {
    this.targetPerReplica = targetPerReplica;
  }

  public Integer getScaleUpStabilizationSeconds() {
    return scaleUpStabilizationSeconds;
  }

  public void setScaleUpStabilizationSeconds(Integer scaleUpStabilizationSeconds) {
    this.scaleUpStabilizationSeconds = scaleUpStabilizationSeconds;
  }

  public ScalingRules getScaleUp() {
    return scaleUp;
  }

  public void setScaleUp(ScalingRules scaleUp) {
    this.scaleUp = scaleUp;
  }

  public ScalingRules getScaleDown() {
    return scaleDown;
  }

  public void setScaleDown(ScalingRules scaleDown) {
    this.scaleDown = scaleDown;
  }

  public Integer getTargetCPUUtilizationPercentage() {
    return targetCPUUtilizationPercentage;
  }

  public void setTargetCPUUtilizationPercentage(Integer targetCPUUtilizationPercentage) {
    this.targetCPUUtilizationPercentage = targetCPUUtilizationPercentage;
  }

  public Integer getTargetMemoryUtilizationPercentage() {
    return targetMemoryUtilizationPercentage;
  }

  public void setTargetMemoryUtilizationPercentage(Integer targetMemoryUtilizationPercentage) {
    this.targetMemoryUtilizationPercentage = targetMemoryUtilizationPercentage;
  }

  public Integer getScaleDownStabilizationSeconds() {
    return scaleDownStabilizationSeconds;
  }

  public void setScaleDownStabilizationSeconds(Integer scaleDownStabilizationSeconds) {
    this.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds;
  }
}
