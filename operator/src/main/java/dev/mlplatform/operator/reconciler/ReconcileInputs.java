package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.resources.ResolvedSpec;

/**
 * What the reconciler hands its dependents for one reconciliation: the validated, defaulted spec
 * and where to record Events.
 */
public record ReconcileInputs(
    ResolvedSpec spec, ModelServerEvents events, OperatorMetrics metrics) {}
