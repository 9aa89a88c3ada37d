package dev.mlplatform.operator;

import dev.mlplatform.operator.config.OperatorConfig;
import dev.mlplatform.operator.config.RetryPolicy;
import dev.mlplatform.operator.externalmetrics.ApiServiceRegistration;
import dev.mlplatform.operator.externalmetrics.ExternalMetricsApi;
import dev.mlplatform.operator.reconciler.ModelServerEvents;
import dev.mlplatform.operator.reconciler.ModelServerReconciler;
import dev.mlplatform.operator.reconciler.OperatorMetrics;
import dev.mlplatform.operator.reconciler.ServiceMonitorApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * The JOSDK {@link Operator} wired with the ModelServer controller, and the Event recorder it
 * writes through, started and stopped together. Production ({@link OperatorMain}) and the
 * integration tests build the operator here, so the tests run what ships: server-side apply for
 * children and status, the same informers and metrics.
 */
public final class ModelServerOperator {

  private final Operator operator;
  private final ModelServerEvents events;
  private final ApiServiceRegistration externalMetrics;

  private ModelServerOperator(
      Operator operator, ModelServerEvents events, ApiServiceRegistration externalMetrics) {
    this.operator = operator;
    this.events = events;
    this.externalMetrics = externalMetrics;
  }

  /** An operator without leadership callbacks (tests, or leader election off). */
  public static ModelServerOperator create(
      KubernetesClient client, OperatorConfig config, MeterRegistry registry, Clock clock) {
    return create(
        client, config, registry, clock, new LeaderCallbacks(() -> {}, () -> {}, id -> {}), null);
  }

  /**
   * The operator; with leader election on, {@code leadership} hears when this replica starts and
   * stops leading, and {@code identity} is its name in the Lease (null: JOSDK's choice, HOSTNAME or
   * a random one). JOSDK's own exit-on-lost-lease is off: it would call System.exit from within a
   * shutdown hook on a graceful stop, which blocks forever; the caller decides instead.
   */
  public static ModelServerOperator create(
      KubernetesClient client,
      OperatorConfig config,
      MeterRegistry registry,
      Clock clock,
      LeaderCallbacks leadership,
      String identity) {
    ModelServerEvents events = new ModelServerEvents(client, clock);
    ApiServiceRegistration externalMetrics =
        new ApiServiceRegistration(
            client,
            ExternalMetricsApi.serviceRef(config.externalMetrics(), client),
            config.monitoringApiCheckInterval(),
            clock);
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withConcurrentReconciliationThreads(config.reconcileThreads())
                  .withMetrics(ControllerMetrics.of(registry, config.metricsRetention()));
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        config.leaseName(),
                        config.leaseNamespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        identity,
                        leadership,
                        false));
              }
            });
    operator.register(
        new ModelServerReconciler(
            config,
            new OperatorMetrics(registry),
            clock,
            ServiceMonitorApi.of(client, config.monitoringApiCheckInterval(), clock),
            externalMetrics,
            events),
        c -> {
          c.withReconciliationMaxInterval(config.reconcileInterval());
          c.withRetry(retry(config.retry()));
          if (config.watchNamespaces().isEmpty()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(config.watchNamespaces());
          }
        });
    return new ModelServerOperator(operator, events, externalMetrics);
  }

  /** Whether the external-metrics APIService is this operator's; the reconciler asks it too. */
  public ApiServiceRegistration externalMetrics() {
    return externalMetrics;
  }

  public void start() {
    operator.start();
  }

  /** Stops reconciling, then writes the Events still queued (briefly) and stops recording. */
  public void stop() {
    try {
      operator.stop();
    } finally {
      events.close();
    }
  }

  /** Whether it started, and the health of its informers. */
  public RuntimeInfo runtimeInfo() {
    return operator.getRuntimeInfo();
  }

  /** JOSDK's exponential retry with the documented limits instead of its implicit defaults. */
  static GenericRetry retry(RetryPolicy policy) {
    return new GenericRetry()
        .setMaxAttempts(policy.maxAttempts())
        .setInitialInterval(policy.initialInterval().toMillis())
        .setIntervalMultiplier(RetryPolicy.MULTIPLIER)
        .setMaxInterval(policy.maxInterval().toMillis());
  }
}
