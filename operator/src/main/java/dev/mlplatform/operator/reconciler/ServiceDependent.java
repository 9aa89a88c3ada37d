package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceDesiredState;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The ModelServer's Service, built by {@link ServiceDesiredState}. */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class ServiceDependent extends ModelServerDependent<Service> {

  public ServiceDependent() {
    super(Service.class);
  }

  @Override
  Service build(ModelServer primary, ResolvedSpec spec) {
    return ServiceDesiredState.build(primary, spec);
  }
}
