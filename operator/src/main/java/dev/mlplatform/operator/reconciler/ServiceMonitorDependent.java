package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceMonitor;
import dev.mlplatform.operator.resources.ServiceMonitorDesiredState;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The ModelServer's ServiceMonitor, built by {@link ServiceMonitorDesiredState}, a resource of an
 * API that may be missing. Two JOSDK conditions guard it:
 *
 * <ul>
 *   <li>the activation condition {@link ApiServed}: JOSDK starts the ServiceMonitor informer only
 *       once the cluster serves the API (an informer for a missing CRD cannot start) and stops it
 *       if the API goes away;
 *   <li>the reconcile precondition {@link Enabled}: with spec.monitoring.enabled false, JOSDK
 *       deletes the ServiceMonitor the operator made. (An activation condition would not: an
 *       inactive dependent is left alone.)
 * </ul>
 */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class ServiceMonitorDependent extends ModelServerDependent<ServiceMonitor> {

  public ServiceMonitorDependent() {
    super(ServiceMonitor.class);
  }

  @Override
  ServiceMonitor build(ModelServer primary, ResolvedSpec spec) {
    return ServiceMonitorDesiredState.build(primary, spec);
  }

  /** Activation: the cluster serves monitoring.coreos.com/v1 ServiceMonitor. */
  public static class ApiServed implements Condition<ServiceMonitor, ModelServer> {
    @Override
    public boolean isMet(
        DependentResource<ServiceMonitor, ModelServer> dependent,
        ModelServer primary,
        Context<ModelServer> context) {
      return inputs(context).serviceMonitorApi().served();
    }
  }

  /** Reconcile precondition: spec.monitoring.enabled (default true). */
  public static class Enabled implements Condition<ServiceMonitor, ModelServer> {
    @Override
    public boolean isMet(
        DependentResource<ServiceMonitor, ModelServer> dependent,
        ModelServer primary,
        Context<ModelServer> context) {
      return inputs(context).spec().monitoring().enabled();
    }
  }
}
