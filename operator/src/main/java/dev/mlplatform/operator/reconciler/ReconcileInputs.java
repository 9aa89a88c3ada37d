package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.resources.ResolvedSpec;
import java.util.Queue;

/**
 * What the reconciler hands its dependents for one reconciliation: the validated, defaulted spec,
 * whether the cluster serves the ServiceMonitor API, whether the HPA may read this operator's
 * external metrics (false also when the spec scales on CPU), where to count writes, and where to
 * note them for the Events the reconciler records afterwards. Dependents run in parallel, so {@code
 * writes} is concurrent.
 */
public record ReconcileInputs(
    ResolvedSpec spec,
    ServiceMonitorApi.Availability serviceMonitorApi,
    boolean externalMetricsServed,
    OperatorMetrics metrics,
    Queue<ChildWrite> writes) {}
