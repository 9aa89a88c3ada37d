package dev.mlplatform.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/**
 * Scraping by a Prometheus Operator: a {@code monitoring.coreos.com/v1} ServiceMonitor for the
 * ModelServer's Service, created only where that API is served.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringSpec {

  public static final boolean DEFAULT_ENABLED = true;
  public static final String DEFAULT_INTERVAL = "30s";

  /**
   * A Prometheus duration, units from largest to smallest, each at most once: 30s, 1m, 1m30s,
   * 500ms. RE2-compatible (the API server checks it) and the same in Java.
   */
  public static final String INTERVAL_PATTERN = "^([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$";

  /** Whether the operator manages a ServiceMonitor. */
  @Default("true")
  @JsonPropertyDescription(
      "Create a ServiceMonitor (monitoring.coreos.com/v1) that scrapes the metrics port at"
          + " /metrics, when the cluster serves the Prometheus Operator's ServiceMonitor API."
          + " Without that API the ModelServer still becomes Ready and its MonitoringReady"
          + " condition says why there is none. false: no ServiceMonitor (one the operator"
          + " created is deleted). Default true.")
  private Boolean enabled;

  /** Scrape interval. */
  @Default("30s")
  @Size(min = 2, max = 20)
  @Pattern(INTERVAL_PATTERN)
  @ValidationRule(value = "self.matches('[1-9]')", message = "interval must be longer than zero")
  @JsonPropertyDescription(
      "How often Prometheus scrapes each pod, as a Prometheus duration such as 15s, 1m or 1m30s"
          + " (units h, m, s, ms, largest first). Default 30s.")
  private String interval;

  /** Extra ServiceMonitor labels. */
  @JsonPropertyDescription(
      "Extra labels on the ServiceMonitor, so that a Prometheus' serviceMonitorSelector selects"
          + " it (e.g. release: kube-prometheus-stack). The operator's app.kubernetes.io/* labels"
          + " cannot be overridden.")
  private Map<String, String> labels;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }
}
