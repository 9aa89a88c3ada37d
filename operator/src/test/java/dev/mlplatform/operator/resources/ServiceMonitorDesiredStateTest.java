package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.MonitoringSpec;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceMonitorDesiredStateTest {

  private static ResolvedSpec resolved(ModelServer server) {
    return ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE);
  }

  @Test
  void selects_the_model_servers_service_and_scrapes_the_servers_metrics_port() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    ResolvedSpec spec = resolved(server);
    ServiceMonitor monitor = ServiceMonitorDesiredState.build(server, spec);
    Service service = ServiceDesiredState.build(server, spec);
    List<ContainerPort> containerPorts =
        DeploymentDesiredState.build(server, spec)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getPorts();

    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
    assertThat(monitor.getMetadata().getName()).isEqualTo("a");
    assertThat(monitor.getMetadata().getNamespace()).isEqualTo("ns");
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertThat(endpoints).hasSize(1);
    Map<String, Object> endpoint = endpoints.get(0);
    assertThat(endpoint).containsEntry("path", "/metrics").containsEntry("interval", "30s");
    ServicePort port =
        service.getSpec().getPorts().stream()
            .filter(p -> p.getName().equals(endpoint.get("port")))
            .findFirst()
            .orElseThrow();
    assertThat(containerPorts)
        .filteredOn(p -> p.getName().equals(port.getTargetPort().getStrVal()))
        .extracting(ContainerPort::getContainerPort)
        .as("the Service port the ServiceMonitor names leads to the server's METRICS_PORT")
        .containsExactly(ServerPorts.METRICS_PORT);
  }

  @Test
  void user_labels_are_added_but_cannot_replace_the_operators() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    MonitoringSpec monitoring = new MonitoringSpec();
    monitoring.setLabels(
        Map.of(
            "release", "kube-prometheus-stack",
            "app.kubernetes.io/instance", "someone-else",
            "app.kubernetes.io/managed-by", "helm"));
    server.getSpec().setMonitoring(monitoring);

    assertThat(ServiceMonitorDesiredState.build(server, resolved(server)).getMetadata().getLabels())
        .containsEntry("release", "kube-prometheus-stack")
        .containsEntry("app.kubernetes.io/instance", "a")
        .containsEntry("app.kubernetes.io/managed-by", "mlplatform-operator");
  }

  @Test
  void is_owned_by_the_model_server_as_controller() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    assertThat(
            ServiceMonitorDesiredState.build(server, resolved(server))
                .getOwnerReferenceFor(server.getMetadata().getUid()))
        .hasValueSatisfying(ref -> assertThat(ref.getController()).isTrue());
  }
}
