package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** How fast the HPA may move in one direction; absent fields keep Kubernetes' own defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScalingRules {

  /** Which policy wins when several allow different changes. */
  public enum SelectPolicy {
    Max,
    Min,
    Disabled
  }

  @Size(max = 10)
  @JsonPropertyDescription(
      "Limits on the change per period (HPA scaling policies). Absent: Kubernetes' defaults (up:"
          + " 4 pods or 100% per 15 s, whichever is more; down: 100% per 15 s).")
  private List<ScalingPolicy> policies;

  @JsonPropertyDescription(
      "Max (the policy allowing the biggest change wins, default), Min, or Disabled (never scale"
          + " in this direction).")
  private SelectPolicy selectPolicy;

  public List<ScalingPolicy> getPolicies() {
    return policies;
  }

  public void setPolicies(List<ScalingPolicy> policies) {
    this.policies = policies;
  }

  public SelectPolicy getSelectPolicy() {
    return selectPolicy;
  }

  public void setSelectPolicy(SelectPolicy selectPolicy) {
    this.selectPolicy = selectPolicy;
  }
}
