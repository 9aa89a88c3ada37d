package dev.mlplatform.operator;

import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.reconciler.ModelServerReconciler;
import dev.mlplatform.operator.reconciler.OperatorMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * Wires the JOSDK {@link Operator} with the ModelServer controller. Production ({@link
 * OperatorMain}) and the integration tests build the operator here, so the tests run what ships:
 * server-side apply for children and status, the same informers and metrics.
 */
public final class ModelServerOperator {

  private ModelServerOperator() {}

  public static Operator create(
      KubernetesClient client, OperatorConfig config, MeterRegistry registry, Clock clock) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withConcurrentReconciliationThreads(config.reconcileThreads())
                  .withMetrics(
                      MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry)
                          .build());
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace()));
              }
            });
    operator.register(
        new ModelServerReconciler(
            config.defaultServerImage(), new OperatorMetrics(registry), clock),
        c -> {
          c.withReconciliationMaxInterval(config.reconcileInterval());
          if (config.watchNamespaces().isEmpty()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(config.watchNamespaces());
          }
        });
    return operator;
  }
}
