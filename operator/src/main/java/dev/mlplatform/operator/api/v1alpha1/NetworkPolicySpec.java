package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * An optional {@code networking.k8s.io/v1} NetworkPolicy that admits only the listed namespaces to
 * the model server pods: clients to the HTTP port, Prometheus to the metrics port.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {

  public static final boolean DEFAULT_ENABLED = false;

  /** The namespace label every namespace carries (Kubernetes 1.22+), set to its name. */
  public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  public static final String DEFAULT_METRICS_NAMESPACE = "monitoring";

  /** Whether the operator manages a NetworkPolicy. */
  @Default("false")
  @JsonPropertyDescription(
      "Create a NetworkPolicy for the model server pods that denies all ingress except the HTTP"
          + " port 8080 from the allowed namespaces and the metrics port 9090 from the metrics"
          + " namespaces. Egress is not restricted. Needs a CNI plugin that enforces"
          + " NetworkPolicies. false: no NetworkPolicy (one the operator created is deleted)."
          + " Default false.")
  private Boolean enabled;

  /** Namespaces, by name, whose pods may call the HTTP port. */
  @JsonPropertyDescription(
      "Names of namespaces whose pods may call the HTTP port 8080. When neither this nor"
          + " allowedNamespaceSelectors is set, only the ModelServer's own namespace may; when"
          + " either is set, only the namespaces they name (list the ModelServer's own namespace"
          + " too if its pods call the server).")
  private List<String> allowedNamespaces;

  /** Namespaces, by labels, whose pods may call the HTTP port. */
  @JsonPropertyDescription(
      "Label selectors of namespaces whose pods may call the HTTP port 8080, in addition to"
          + " allowedNamespaces. An empty selector ({}) admits every namespace.")
  private List<LabelSelector> allowedNamespaceSelectors;

  /** Namespaces, by labels, whose pods may scrape the metrics port. */
  @Default("{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"monitoring\"}}")
  @JsonPropertyDescription(
      "Label selector of the namespaces whose pods (Prometheus) may scrape the metrics port"
          + " 9090. Default: the namespace named monitoring (matchLabels"
          + " kubernetes.io/metadata.name: monitoring). An empty selector ({}) admits every"
          + " namespace.")
  private LabelSelector metricsNamespaceSelector;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getAllowedNamespaces() {
    return allowedNamespaces;
  }

  public void setAllowedNamespaces(List<String> allowedNamespaces) {
    this.allowedNamespaces = allowedNamespaces;
  }

  public List<LabelSelector> getAllowedNamespaceSelectors() {
    return allowedNamespaceSelectors;
  }

  public void setAllowedNamespaceSelectors(List<LabelSelector> allowedNamespaceSelectors) {
    this.allowedNamespaceSelectors = allowedNamespaceSelectors;
  }

  public LabelSelector getMetricsNamespaceSelector() {
    return metricsNamespaceSelector;
  }

  public void setMetricsNamespaceSelector(LabelSelector metricsNamespaceSelector) {
    this.metricsNamespaceSelector = metricsNamespaceSelector;
  }
}
