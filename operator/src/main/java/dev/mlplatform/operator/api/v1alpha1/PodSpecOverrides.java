package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Pod metadata and scheduling settings copied into the Deployment's pod template. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodSpecOverrides {

  /** Extra pod annotations. */
  @JsonPropertyDescription("Extra pod annotations (e.g. for a service mesh or log shipper).")
  private Map<String, String> annotations;

  /** Extra pod labels. */
  @JsonPropertyDescription(
      "Extra pod labels. The operator's app.kubernetes.io/* labels cannot be overridden.")
  private Map<String, String> labels;

  /** Node selector. */
  @JsonPropertyDescription("Node selector for the model server pods.")
  private Map<String, String> nodeSelector;

  /** Tolerations. */
  @JsonPropertyDescription("Tolerations for the model server pods.")
  private List<Toleration> tolerations;

  /** Affinity. */
  @JsonPropertyDescription("Affinity rules for the model server pods.")
  private Affinity affinity;

  /** Service account. */
  @JsonPropertyDescription("Service account the pods run as. Default: the namespace's default.")
  private String serviceAccountName;

  /** Priority class. */
  @JsonPropertyDescription("Priority class of the model server pods.")
  private String priorityClassName;

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public String getServiceAccountName() {
    return serviceAccountName;
  }

  public void setServiceAccountName(String serviceAccountName) {
    this.serviceAccountName = serviceAccountName;
  }

  public String getPriorityClassName() {
    return priorityClassName;
  }

  public void setPriorityClassName(String priorityClassName) {
    this.priorityClassName = priorityClassName;
  }
}
