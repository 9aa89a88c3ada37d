package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own metrics, named {@code mlplatform_operator_*} in Prometheus; JOSDK's
 * reconciliation metrics sit beside them in the same registry.
 */
public final class OperatorMetrics {

  private final MeterRegistry registry;
  private volatile Supplier<Stream<ModelServer>> modelServers = Stream::empty;
  private boolean conditionsRegistered;

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Registered up front so dashboards and alerts see zeros rather than absent series.
    for (String outcome : new String[] {"ready", "not_ready", "invalid_spec", "error"}) {
      reconciliations(outcome);
    }
  }

  private Counter reconciliations(String outcome) {
    return Counter.builder("mlplatform.operator.reconciliations")
        .description("ModelServer reconciliations by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Exports {@code mlplatform_operator_modelserver_condition} from {@code modelServers} (the
   * controller's informer cache), read at every scrape. Only a Prometheus registry can compute a
   * metric at scrape time; on any other registry (unit and mock tests) this does nothing.
   */
  public synchronized void watchModelServers(Supplier<Stream<ModelServer>> modelServers) {
    this.modelServers = modelServers;
    if (!conditionsRegistered && registry instanceof PrometheusMeterRegistry prometheus) {
      prometheus
          .getPrometheusRegistry()
          .register(new ModelServerConditions(() -> this.modelServers.get()));
      conditionsRegistered = true;
    }
  }

  /** One reconciliation finished with {@code outcome} (ready, not_ready, invalid_spec, error). */
  public void reconciled(String outcome, long nanos) {
    reconciliations(outcome).increment();
    Timer.builder("mlplatform.operator.reconcile.duration")
        .description("Time to reconcile one ModelServer, children and status included")
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A child was created, updated or (an optional one) deleted. */
  public void childWritten(ChildWrite write) {
    Counter.builder("mlplatform.operator.child.writes")
        .description("Child resources written by kind and operation (created, updated, deleted)")
        .tag("kind", write.kind())
        .tag("operation", write.operation().label())
        .register(registry)
        .increment();
  }

  /** A status was written ({@code written=true}) or skipped as a no-op. */
  public void statusUpdate(boolean written) {
    Counter.builder("mlplatform.operator.status.updates")
        .description("ModelServer status updates, written or skipped because nothing changed")
        .tag("result", written ? "written" : "skipped")
        .register(registry)
        .increment();
  }
}
