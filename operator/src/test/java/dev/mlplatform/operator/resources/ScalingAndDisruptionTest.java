package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.DisruptionBudgetSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.IntOrString;
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
