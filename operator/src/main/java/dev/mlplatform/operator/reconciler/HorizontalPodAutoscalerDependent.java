package dev.mlplatform.operator.reconciler;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.HorizontalPodAutoscalerDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The ModelServer's HorizontalPodAutoscaler, built by {@link HorizontalPodAutoscalerDesiredState}.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ModelServerDependent.MANAGED_SELECTOR))
public class HorizontalPodAutoscalerDependent
    extends ModelServerDependent<HorizontalPodAutoscaler> {

  public HorizontalPodAutoscalerDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  HorizontalPodAutoscaler build(ModelServer primary, ResolvedSpec spec) {
    return HorizontalPodAutoscalerDesiredState.build(primary, spec);
  }

  @Override
  protected HorizontalPodAutoscaler desired(ModelServer primary, Context<ModelServer> context) {
    ReconcileInputs inputs = inputs(context);
    return HorizontalPodAutoscalerDesiredState.build(
        primary, inputs.spec(), inputs.externalMetricsServed());
  }
}
