package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import java.util.ArrayList;
import java.util.List;

/** Builds the autoscaling/v2 HPA {@code NAME}, the only owner of the Deployment's replicas. */
public final class HorizontalPodAutoscalerDesiredState {

  private HorizontalPodAutoscalerDesiredState() {}

  public static HorizontalPodAutoscaler build(ModelServer owner, ResolvedSpec spec) {
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(Owners.childMetadata(owner, spec, spec.name()))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(spec.name())
        .endScaleTargetRef()
        .withMinReplicas(spec.minReplicas())
        .withMaxReplicas(spec.maxReplicas())
        .withMetrics(metrics(spec))
        .withNewBehavior()
        .withNewScaleDown()
        .withStabilizationWindowSeconds(spec.scaleDownStabilizationSeconds())
        .endScaleDown()
        .endBehavior()
        .endSpec()
        .build();
  }

  private static List<MetricSpec> metrics(ResolvedSpec spec) {
    List<MetricSpec> metrics = new ArrayList<>();
    metrics.add(utilization("cpu", spec.targetCpuUtilization()));
    if (spec.targetMemoryUtilization() != null) {
      metrics.add(utilization("memory", spec.targetMemoryUtilization()));
    }
    return metrics;
  }

  private static MetricSpec utilization(String resource, int percent) {
    return new MetricSpecBuilder()
        .withType("Resource")
        .withNewResource()
        .withName(resource)
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(percent)
        .endTarget()
        .endResource()
        .build();
  }
}
