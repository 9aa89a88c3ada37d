package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/**
 * Builds the policy/v1 PDB {@code NAME}. The default, maxUnavailable 1, lets a node drain evict one
 * pod at a time even when the ModelServer runs a single replica; minAvailable would block it.
 */
public final class PodDisruptionBudgetDesiredState {

  private PodDisruptionBudgetDesiredState() {}

  public static PodDisruptionBudget build(ModelServer owner, ResolvedSpec spec) {
    var builder =
        new PodDisruptionBudgetBuilder()
            .withMetadata(Owners.childMetadata(owner, spec, spec.name()))
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(ChildLabels.selector(spec.name()))
            .endSelector();
    if (spec.pdbMinAvailable() != null) {
      builder.withMinAvailable(new IntOrString(spec.pdbMinAvailable()));
    } else {
      builder.withMaxUnavailable(new IntOrString(spec.pdbMaxUnavailable()));
    }
    return builder.endSpec().build();
  }
}
