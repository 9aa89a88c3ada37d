package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** PodDisruptionBudget settings: at most one of the two fields. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.maxUnavailable) && has(self.minAvailable))",
    message =
        "set at most one of disruptionBudget.maxUnavailable and disruptionBudget.minAvailable")
public class DisruptionBudgetSpec {

  /** The default when neither field is set: one pod may always be evicted. */
  public static final int DEFAULT_MAX_UNAVAILABLE = 1;

  /** Pods that may be unavailable during a voluntary disruption. */
  @Min(0)
  @JsonPropertyDescription(
      "Pods that may be down during a voluntary disruption (node drain). Default 1 when"
          + " minAvailable is absent. 0 blocks every drain.")
  private Integer maxUnavailable;

  /** Pods that must stay available during a voluntary disruption. */
  @Min(0)
  @JsonPropertyDescription(
      "Pods that must stay up during a voluntary disruption. Mutually exclusive with"
          + " maxUnavailable; a value >= replicas.min can block node drains.")
  private Integer minAvailable;

  public Integer getMaxUnavailable() {
    return maxUnavailable;
  }

  public void setMaxUnavailable(Integer maxUnavailable) {
    this.maxUnavailable = maxUnavailable;
  }

  public Integer getMinAvailable() {
    return minAvailable;
  }

  public void setMinAvailable(Integer minAvailable) {
    this.minAvailable = minAvailable;
  }
}
