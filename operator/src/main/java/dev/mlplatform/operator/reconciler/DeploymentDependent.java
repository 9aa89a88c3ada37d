package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The ModelServer's Deployment, built by {@link DeploymentDesiredState}. */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class DeploymentDependent extends ModelServerDependent<Deployment> {

  public DeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  Deployment build(ModelServer primary, ResolvedSpec spec) {
    return DeploymentDesiredState.build(primary, spec);
  }
}
