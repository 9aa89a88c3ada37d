package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Prometheus Operator's ServiceMonitor {@code NAME}: it selects the ModelServer's
 * Service by the Service's selector labels and scrapes the Service port {@code metrics} at {@code
 * /metrics}.
 */
public final class ServiceMonitorDesiredState {

  public static final String METRICS_PATH = "/metrics";

  private ServiceMonitorDesiredState() {}

  public static ServiceMonitor build(ModelServer owner, ResolvedSpec spec) {
    ObjectMeta metadata = Owners.childMetadata(owner, spec, spec.name());
    // the operator's labels first and winning, then the user's (for a serviceMonitorSelector)
    Map<String, String> labels = new LinkedHashMap<>(metadata.getLabels());
    spec.monitoring().labels().forEach(labels::putIfAbsent);
    metadata.setLabels(labels);

    Map<String, Object> endpoint = new LinkedHashMap<>();
    endpoint.put("port", ServerPorts.METRICS);
    endpoint.put("path", METRICS_PATH);
    endpoint.put("interval", spec.monitoring().interval());
    Map<String, Object> monitorSpec = new LinkedHashMap<>();
    // no namespaceSelector: a ServiceMonitor selects Services in its own namespace by default
    monitorSpec.put("selector", Map.of("matchLabels", ChildLabels.selector(spec.name())));
    monitorSpec.put("endpoints", List.of(endpoint));

    ServiceMonitor monitor = new ServiceMonitor();
    monitor.setMetadata(metadata);
    monitor.setAdditionalProperty("spec", monitorSpec);
    return monitor;
  }
}
