package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.NetworkPolicyDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The ModelServer's optional NetworkPolicy, built by {@link NetworkPolicyDesiredState}. Its
 * reconcile precondition {@link Enabled} makes JOSDK delete it when spec.networkPolicy.enabled is
 * false.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class NetworkPolicyDependent extends ModelServerDependent<NetworkPolicy> {

  public NetworkPolicyDependent() {
    super(NetworkPolicy.class);
  }

  @Override
  NetworkPolicy build(ModelServer primary, ResolvedSpec spec) {
    return NetworkPolicyDesiredState.build(primary, spec);
  }

  /** Reconcile precondition: spec.networkPolicy.enabled (default false). */
  public static class Enabled implements Condition<NetworkPolicy, ModelServer> {
    @Override
    public boolean isMet(
        DependentResource<NetworkPolicy, ModelServer> dependent,
        ModelServer primary,
        Context<ModelServer> context) {
      return inputs(context).spec().networkPolicy().enabled();
    }
  }
}
