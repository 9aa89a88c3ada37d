package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.AutoscalingSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.DisruptionBudgetSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ScalingMetric;
import dev.mlplatform.operator.api.v1alpha1.ScalingPolicy;
import dev.mlplatform.operator.api.v1alpha1.ScalingRules;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingAndDisruptionTest {

  private static ResolvedSpec resolve(ModelServer server) {
    return ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE);
  }

  @Test
  void scaling_bounds_flow_into_the_hpa() {
    ModelServer server = TestModelServers.full("a", "ns");
    var hpa = HorizontalPodAutoscalerDesiredState.build(server, resolve(server));
    assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(8);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("a");
    assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
        .isEqualTo(120);
    assertThat(hpa.getSpec().getMetrics())
        .extracting(
            m ->
                m.getResource().getName()
                    + "="
                    + m.getResource().getTarget().getAverageUtilization())
        .containsExactly("cpu=60", "memory=80");
  }

  @Test
  void hpa_defaults_to_one_to_five_on_cpu_only() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    var hpa = HorizontalPodAutoscalerDesiredState.build(server, resolve(server));
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);
    assertThat(hpa.getSpec().getMetrics())
        .extracting(m -> m.getResource().getName())
        .containsExactly("cpu");
    assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
        .isEqualTo(300);
  }

  private static ModelServer scaledOn(ScalingMetric metric, Integer target) {
    ModelServer server = TestModelServers.minimal("a", "ns");
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMetric(metric);
    autoscaling.setTargetPerReplica(target);
    server.getSpec().setAutoscaling(autoscaling);
    return server;
  }

  @Test
  void queue_scaling_is_an_external_metric_of_the_pods_against_a_per_replica_target() {
    ModelServer server = scaledOn(ScalingMetric.queue, 16);
    var hpa = HorizontalPodAutoscalerDesiredState.build(server, resolve(server), true);
    assertThat(hpa.getSpec().getMetrics())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getType()).isEqualTo("External");
              assertThat(m.getExternal().getMetric().getName())
                  .isEqualTo("model_server_queue_depth");
              assertThat(m.getExternal().getMetric().getSelector().getMatchLabels())
                  .isEqualTo(ChildLabels.selector("a"));
              assertThat(m.getExternal().getTarget().getType()).isEqualTo("AverageValue");
              assertThat(m.getExternal().getTarget().getAverageValue().toString()).isEqualTo("16");
            });
  }

  @Test
  void the_queue_target_defaults_to_one_full_batch_and_concurrency_to_eight() {
    ModelServer queue = scaledOn(ScalingMetric.queue, null);
    assertThat(resolve(queue).autoscaling().targetPerReplica())
        .isEqualTo(BatchingSpec.DEFAULT_MAX_BATCH_SIZE);
    ModelServer concurrency = scaledOn(ScalingMetric.concurrency, null);
    var hpa = HorizontalPodAutoscalerDesiredState.build(concurrency, resolve(concurrency), true);
    assertThat(hpa.getSpec().getMetrics().get(0).getExternal().getMetric().getName())
        .isEqualTo("model_server_requests_in_flight");
    assertThat(hpa.getSpec().getMetrics().get(0).getExternal().getTarget().getAverageValue())
        .hasToString("8");
  }

  @Test
  void without_the_external_metrics_api_the_hpa_falls_back_to_cpu() {
    ModelServer server = scaledOn(ScalingMetric.queue, 16);
    var hpa = HorizontalPodAutoscalerDesiredState.build(server, resolve(server), false);
    assertThat(hpa.getSpec().getMetrics())
        .extracting(m -> m.getType() + ":" + m.getResource().getName())
        .containsExactly("Resource:cpu");
  }

  @Test
  void scaling_policies_and_windows_reach_the_hpa_behavior() {
    ModelServer server = scaledOn(ScalingMetric.concurrency, 4);
    AutoscalingSpec autoscaling = server.getSpec().getAutoscaling();
    autoscaling.setScaleUpStabilizationSeconds(15);
    ScalingRules up = new ScalingRules();
    up.setPolicies(List.of(new ScalingPolicy(ScalingPolicy.Type.Pods, 2, 30)));
    up.setSelectPolicy(ScalingRules.SelectPolicy.Min);
    autoscaling.setScaleUp(up);
    ScalingRules down = new ScalingRules();
    down.setSelectPolicy(ScalingRules.SelectPolicy.Disabled);
    autoscaling.setScaleDown(down);
    var behavior =
        HorizontalPodAutoscalerDesiredState.build(server, resolve(server)).getSpec().getBehavior();
    assertThat(behavior.getScaleUp().getStabilizationWindowSeconds()).isEqualTo(15);
    assertThat(behavior.getScaleUp().getSelectPolicy()).isEqualTo("Min");
    assertThat(behavior.getScaleUp().getPolicies())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getType()).isEqualTo("Pods");
              assertThat(p.getValue()).isEqualTo(2);
              assertThat(p.getPeriodSeconds()).isEqualTo(30);
            });
    assertThat(behavior.getScaleDown().getSelectPolicy()).isEqualTo("Disabled");
    assertThat(behavior.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(300);
    assertThat(behavior.getScaleDown().getPolicies()).isNullOrEmpty();
  }

  @Test
  void default_pdb_never_blocks_a_drain_even_with_one_replica() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    var pdb = PodDisruptionBudgetDesiredState.build(server, resolve(server));
    assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
    assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/instance", "a");
  }

  @Test
  void pdb_uses_min_available_when_the_user_asks_for_it() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    DisruptionBudgetSpec budget = new DisruptionBudgetSpec();
    budget.setMinAvailable(2);
    server.getSpec().setDisruptionBudget(budget);
    var pdb = PodDisruptionBudgetDesiredState.build(server, resolve(server));
    assertThat(pdb.getSpec().getMinAvailable()).isEqualTo(new IntOrString(2));
    assertThat(pdb.getSpec().getMaxUnavailable()).isNull();
  }

  @Test
  void service_maps_http_and_metrics_to_the_named_container_ports() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    var service = ServiceDesiredState.build(server, resolve(server));
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getStrVal())
        .containsExactly("http:80->http", "metrics:9090->metrics");
    assertThat(ServiceDesiredState.url(resolve(server))).isEqualTo("http://a.ns.svc.cluster.local");
    assertThat(ServiceDesiredState.url(resolve(TestModelServers.full("b", "x"))))
        .isEqualTo("http://b.x.svc.cluster.local:8000");
  }

  @Test
  void version_label_is_the_image_tag_made_label_safe() {
    assertThat(ChildLabels.version("ghcr.io/x/model-server:0.1.0")).isEqualTo("0.1.0");
    assertThat(ChildLabels.version("localhost:5000/model-server")).isEqualTo("latest");
    assertThat(ChildLabels.version("img@sha256:abcdef")).isEqualTo("sha256-abcdef");
  }
}
