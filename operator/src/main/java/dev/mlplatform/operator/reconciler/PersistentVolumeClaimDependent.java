package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.PersistentVolumeClaimDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The ModelServer's optional model cache claim, built by {@link PersistentVolumeClaimDesiredState}.
 * Its reconcile precondition {@link Requested} makes JOSDK delete it when spec.model.cache is
 * removed (the pods then go back to a pod-local emptyDir).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class PersistentVolumeClaimDependent extends ModelServerDependent<PersistentVolumeClaim> {

  public PersistentVolumeClaimDependent() {
    super(PersistentVolumeClaim.class);
  }

  @Override
  PersistentVolumeClaim build(ModelServer primary, ResolvedSpec spec) {
    return PersistentVolumeClaimDesiredState.build(primary, spec);
  }

  /** Reconcile precondition: spec.model.cache is set. */
  public static class Requested implements Condition<PersistentVolumeClaim, ModelServer> {
    @Override
    public boolean isMet(
        DependentResource<PersistentVolumeClaim, ModelServer> dependent,
        ModelServer primary,
        Context<ModelServer> context) {
      return inputs(context).spec().modelCache().isPresent();
    }
  }
}
