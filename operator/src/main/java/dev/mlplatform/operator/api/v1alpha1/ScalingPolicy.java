package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** One HPA scaling policy: at most {@code value} pods (or percent) per {@code periodSeconds}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScalingPolicy {

  /** Whether {@code value} counts pods or percent of the current replicas. */
  public enum Type {
    Pods,
    Percent
  }

  @Required
  @JsonPropertyDescription("Pods or Percent (of the current replicas).")
  private Type type;

  @Required
  @Min(1)
  @JsonPropertyDescription("Pods, or percent of the current replicas, per period. At least 1.")
  private Integer value;

  @Required
  @Min(1)
  @Max(1800)
  @JsonPropertyDescription("Length of the period in seconds. 1..1800.")
  private Integer periodSeconds;

  public ScalingPolicy() {}

  public ScalingPolicy(Type type, Integer value, Integer periodSeconds) {
    this.type = type;
    this.value = value;
    this.periodSeconds = periodSeconds;
  }

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public Integer getValue() {
    return value;
  }

  public void setValue(Integer value) {
    this.value = value;
  }

  public Integer getPeriodSeconds() {
    return periodSeconds;
  }

  public void setPeriodSeconds(Integer periodSeconds) {
    this.periodSeconds = periodSeconds;
  }
}
