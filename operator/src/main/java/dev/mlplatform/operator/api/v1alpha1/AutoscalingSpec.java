package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** HPA targets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoscalingSpec {

  public static final int DEFAULT_TARGET_CPU = 70;
  public static final int DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 300;
  public static final int MAX_SCALE_DOWN_STABILIZATION_SECONDS = 3600;

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
