package dev.mlplatform.operator.reconciler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The operator's own metrics, named {@code mlplatform_operator_*} in Prometheus; JOSDK's
 * reconciliation metrics sit beside them in the same registry.
 */
public final class OperatorMetrics {

  private final MeterRegistry registry;

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

  /** One reconciliation finished with {@code outcome} (ready, not_ready, invalid_spec, error). */
  public void reconciled(String outcome, long nanos) {
    reconciliations(outcome).increment();
    Timer.builder("mlplatform.operator.reconcile.duration")
        .description("Time to reconcile one ModelServer, children and status included")
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A child was created, updated or (an optional one) deleted. */
  public void childWritten(String kind, String operation) {
    Counter.builder("mlplatform.operator.child.writes")
        .description("Child resources written by kind and operation (created, updated, deleted)")
        .tag("kind", kind)
        .tag("operation", operation)
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
