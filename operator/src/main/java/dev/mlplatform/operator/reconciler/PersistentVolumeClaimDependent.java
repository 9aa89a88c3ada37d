package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.PersistentVolumeClaimDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.util.Map;

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

  /**
   * The API server stores a quantity in its canonical spelling (a size of 1024Mi as 1Gi). A desired
   * request equal in amount to the stored one takes the stored spelling before the comparison, or
   * every reconciliation would see a difference and apply the claim again. JOSDK does this for a
   * pod template's resources, not for a claim's.
   */
  @Override
  public Matcher.Result<PersistentVolumeClaim> match(
      PersistentVolumeClaim actual,
      PersistentVolumeClaim desired,
      ModelServer primary,
      Context<ModelServer> context) {
    Map<String, Quantity> stored = requests(actual);
    Map<String, Quantity> wanted = requests(desired);
    if (stored != null && wanted != null) {
      wanted.replaceAll(
          (key, quantity) -> quantity.equals(stored.get(key)) ? stored.get(key) : quantity);
    }
    return super.match(actual, desired, primary, context);
  }

  private static Map<String, Quantity> requests(PersistentVolumeClaim claim) {
    return claim.getSpec() == null || claim.getSpec().getResources() == null
        ? null
        : claim.getSpec().getResources().getRequests();
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
