package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code mlplatform_operator_modelserver_condition}: one series per ModelServer and condition type,
 * value 1, labelled with the condition's {@code status} and {@code reason}, in the style of
 * kube-state-metrics' {@code kube_deployment_status_condition}. Computed from the informer cache at
 * every scrape, so a deleted ModelServer or a changed reason disappears from the next scrape
 * instead of lingering as a stale gauge.
 */
final class ModelServerConditions implements Collector {

  static final String NAME = "mlplatform_operator_modelserver_condition";

  private final Supplier<Stream<ModelServer>> modelServers;

  ModelServerConditions(Supplier<Stream<ModelServer>> modelServers) {
    this.modelServers = modelServers;
  }

  @Override
  public String getPrometheusName() {
    return NAME;
  }

  @Override
  public MetricSnapshot collect() {
    GaugeSnapshot.Builder gauge =
        GaugeSnapshot.builder()
            .name(NAME)
            .help(
                "ModelServer status conditions (Ready, Progressing, Degraded) by status and"
                    + " reason; always 1");
    Stream<ModelServer> listed;
    try {
      listed = modelServers.get();
    } catch (RuntimeException e) {
      // Scraped before the informers started (the management port opens first): no data yet,
      // rather than a failed scrape that would hide every other metric.
      return gauge.build();
    }
    try (Stream<ModelServer> servers = listed) {
      servers
          .filter(s -> s.getStatus() != null && s.getStatus().getConditions() != null)
          .forEach(
              server -> {
                for (Condition c : server.getStatus().getConditions()) {
                  gauge.dataPoint(
                      GaugeDataPointSnapshot.builder()
                          .labels(
                              Labels.of(
                                  "namespace", server.getMetadata().getNamespace(),
                                  "modelserver", server.getMetadata().getName(),
                                  "condition", c.getType(),
                                  "status", Objects.toString(c.getStatus(), "Unknown"),
                                  "reason", Objects.toString(c.getReason(), "")))
                          .value(1)
                          .build());
                }
              });
    }
    return gauge.build();
  }
}
