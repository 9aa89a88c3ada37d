package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceDesiredState;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import org.junit.jupiter.api.Test;

class ServiceDependentTest {

  private static Service desired() {
    ModelServer server = TestModelServers.minimal("embeddings", "ns");
    return ServiceDesiredState.build(
        server, ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE));
  }

  private static ServicePort port(String name, int port, String protocol) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withProtocol(protocol)
        .withTargetPort(new IntOrString(name))
        .build();
  }

  @Test
  void a_port_of_ours_renumbered_by_hand_is_found() {
    Service live = new ServiceBuilder(desired()).build();
    live.getSpec().getPorts().set(0, port("http", 8081, "TCP"));

    assertThat(ServiceDependent.renumberedPorts(live, desired()))
        .extracting(ServicePort::getPort)
        .containsExactly(8081);
  }

  @Test
  void our_ports_as_applied_and_ports_others_added_are_left_alone() {
    Service live = new ServiceBuilder(desired()).build();
    live.getSpec().getPorts().add(port("debug", 5005, "TCP"));

    assertThat(ServiceDependent.renumberedPorts(live, desired())).isEmpty();
  }

  @Test
  void a_port_of_ours_with_another_protocol_is_found() {
    Service live = new ServiceBuilder(desired()).build();
    live.getSpec().getPorts().set(1, port("metrics", 9090, "UDP"));

    assertThat(ServiceDependent.renumberedPorts(live, desired()))
        .extracting(ServicePort::getProtocol)
        .containsExactly("UDP");
  }
}
