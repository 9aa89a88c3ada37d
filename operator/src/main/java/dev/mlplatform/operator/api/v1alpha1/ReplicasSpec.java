package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Autoscaling bounds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.min) || !has(self.max) || self.max >= self.min",
    message = "replicas.max must be greater than or equal to replicas.min")
public class ReplicasSpec {

  public static final int DEFAULT_MIN = 1;
  public static final int DEFAULT_MAX = 5;

  /** Fewest replicas. */
  @Min(1)
  @Default("1")
  @JsonPropertyDescription("Fewest replicas the HPA keeps. At least 1, default 1.")
  private Integer min;

  /** Most replicas. */
  @Min(1)
  @Default("5")
  @JsonPropertyDescription("Most replicas the HPA may scale to. At least min, default 5.")
  private Integer max;

  public ReplicasSpec() {}

  public ReplicasSpec(Integer min, Integer max) {
    this.min = min;
    this.max = max;
  }

  public Integer getMin() {
    return min;
  }

  public void setMin(Integer min) {
    this.min = min;
  }

  public Integer getMax() {
    return max;
  }

  public void setMax(Integer max) {
    this.max = max;
  }
}
