package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkPolicyDesiredStateTest {

  private static NetworkPolicy render(ModelServer server) {
    return NetworkPolicyDesiredState.build(
        server, ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE));
  }

  private static Deployment deployment(ModelServer server) {
    return DeploymentDesiredState.build(
        server, ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE));
  }

  private static ModelServer withPolicy(NetworkPolicySpec policy) {
    ModelServer server = TestModelServers.minimal("a", "team-a");
    server.getSpec().setNetworkPolicy(policy);
    return server;
  }

  private static List<LabelSelector> namespaceSelectors(NetworkPolicyIngressRule rule) {
    return rule.getFrom().stream().map(NetworkPolicyPeer::getNamespaceSelector).toList();
  }

  private static LabelSelector named(String namespace) {
    return new LabelSelectorBuilder()
        .addToMatchLabels("kubernetes.io/metadata.name", namespace)
        .build();
  }

  @Test
  void selects_exactly_the_pods_of_the_deployment_and_restricts_only_ingress() {
    ModelServer server = TestModelServers.minimal("a", "team-a");
    NetworkPolicy policy = render(server);
    assertThat(policy.getSpec().getPodSelector())
        .isEqualTo(deployment(server).getSpec().getSelector());
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(policy.getSpec().getEgress()).isEmpty();
  }

  @Test
  void by_default_http_is_open_to_the_own_namespace_and_metrics_to_monitoring() {
    ModelServer server = TestModelServers.minimal("a", "team-a");
    List<NetworkPolicyIngressRule> rules = render(server).getSpec().getIngress();
    List<ContainerPort> ports =
        deployment(server).getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();

    assertThat(rules).hasSize(2);
    assertThat(namespaceSelectors(rules.get(0))).containsExactly(named("team-a"));
    assertThat(rules.get(0).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactly(port(ports, "http"));
    assertThat(namespaceSelectors(rules.get(1))).containsExactly(named("monitoring"));
    assertThat(rules.get(1).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactly(port(ports, "metrics"));
  }

  private static int port(List<ContainerPort> ports, String name) {
    return ports.stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getContainerPort();
  }

  @Test
  void listed_namespaces_replace_the_own_namespace_and_selectors_add_to_them() {
    NetworkPolicySpec policy = new NetworkPolicySpec();
    policy.setEnabled(true);
    policy.setAllowedNamespaces(List.of("frontend"));
    LabelSelector clients = new LabelSelectorBuilder().addToMatchLabels("team", "search").build();
    policy.setAllowedNamespaceSelectors(List.of(clients));

    assertThat(namespaceSelectors(render(withPolicy(policy)).getSpec().getIngress().get(0)))
        .containsExactly(named("frontend"), clients);
  }

  @Test
  void selectors_alone_admit_only_the_namespaces_they_select() {
    NetworkPolicySpec policy = new NetworkPolicySpec();
    LabelSelector clients = new LabelSelectorBuilder().addToMatchLabels("team", "search").build();
    policy.setAllowedNamespaceSelectors(List.of(clients));

    assertThat(namespaceSelectors(render(withPolicy(policy)).getSpec().getIngress().get(0)))
        .containsExactly(clients);
  }

  @Test
  void the_metrics_namespace_selector_can_name_another_prometheus_namespace() {
    NetworkPolicySpec policy = new NetworkPolicySpec();
    policy.setMetricsNamespaceSelector(named("observability"));

    assertThat(namespaceSelectors(render(withPolicy(policy)).getSpec().getIngress().get(1)))
        .containsExactly(named("observability"));
  }
}
