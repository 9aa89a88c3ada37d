package dev.mlplatform.operator.resources;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ScalingPolicy;
import dev.mlplatform.operator.api.v1alpha1.ScalingRules;
import dev.mlplatform.operator.externalmetrics.ExternalMetric;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicyBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRulesBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds the autoscaling/v2 HPA {@code NAME}, the only owner of the Deployment's replicas. */
public final class HorizontalPodAutoscalerDesiredState {

  private HorizontalPodAutoscalerDesiredState() {}

  /** The HPA the spec asks for (its external metric served). */
  public static HorizontalPodAutoscaler build(ModelServer owner, ResolvedSpec spec) {
    return build(owner, spec, true);
  }

  /**
   * The HPA; with {@code externalMetricsServed} false a queue or concurrency ModelServer scales on
   * CPU instead (the operator cannot serve its metric, and the status says so).
   */
  public static HorizontalPodAutoscaler build(
      ModelServer owner, ResolvedSpec spec, boolean externalMetricsServed) {
    ResolvedSpec.Autoscaling autoscaling = spec.autoscaling();
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
        .withMetrics(metrics(spec, externalMetricsServed))
        .withNewBehavior()
        .withScaleUp(rules(autoscaling.scaleUpStabilizationSeconds(), autoscaling.scaleUp()))
        .withScaleDown(rules(autoscaling.scaleDownStabilizationSeconds(), autoscaling.scaleDown()))
        .endBehavior()
        .endSpec()
        .build();
  }

  private static List<MetricSpec> metrics(ResolvedSpec spec, boolean externalMetricsServed) {
    ResolvedSpec.Autoscaling autoscaling = spec.autoscaling();
    Optional<ExternalMetric> external = ExternalMetric.of(autoscaling.metric());
    if (external.isPresent() && externalMetricsServed) {
      return List.of(external(external.get(), spec));
    }
    List<MetricSpec> metrics = new ArrayList<>();
    metrics.add(utilization("cpu", autoscaling.targetCpuUtilization()));
    if (autoscaling.targetMemoryUtilization() != null) {
      metrics.add(utilization("memory", autoscaling.targetMemoryUtilization()));
    }
    return metrics;
  }

  /**
   * The sum of the metric over the ModelServer's pods, selected by the pods' labels, against a
   * per-replica target: the HPA wants ceil(sum / target) replicas.
   */
  private static MetricSpec external(ExternalMetric metric, ResolvedSpec spec) {
    return new MetricSpecBuilder()
        .withType("External")
        .withNewExternal()
        .withNewMetric()
        .withName(metric.metricName())
        .withNewSelector()
        .withMatchLabels(ChildLabels.selector(spec.name()))
        .endSelector()
        .endMetric()
        .withNewTarget()
        .withType("AverageValue")
        .withAverageValue(new Quantity(Integer.toString(spec.autoscaling().targetPerReplica())))
        .endTarget()
        .endExternal()
        .build();
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

  private static HPAScalingRules rules(int stabilizationSeconds, ScalingRules rules) {
    HPAScalingRulesBuilder builder =
        new HPAScalingRulesBuilder().withStabilizationWindowSeconds(stabilizationSeconds);
    if (rules != null) {
      if (rules.getSelectPolicy() != null) {
        builder.withSelectPolicy(rules.getSelectPolicy().name());
      }
      if (rules.getPolicies() != null && !rules.getPolicies().isEmpty()) {
        for (ScalingPolicy policy : rules.getPolicies()) {
          builder.addToPolicies(
              new HPAScalingPolicyBuilder()
                  .withType(policy.getType().name())
                  .withValue(policy.getValue())
                  .withPeriodSeconds(policy.getPeriodSeconds())
                  .build());
        }
      }
    }
    return builder.build();
  }
}
