package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.Conflicts;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.networkPolicy with the operator on a real API server ({@link RealCluster}), which validates
 * the NetworkPolicies it writes. No CNI plugin enforces them here; the tests check what one would
 * enforce: which pods the policy selects, and which namespaces reach which container ports. Each
 * test has its own namespace.
 */
class NetworkPolicyIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static KubernetesClient client;

  @BeforeAll
  static void client() {
    client = cluster.client();
  }

  private static ModelServer create(String name, String ns, Consumer<ModelServer> customize) {
    ModelServer server = Children.minimal(name, ns);
    customize.accept(server);
    return client.resource(server).create();
  }

  private static void enable(ModelServer server) {
    NetworkPolicySpec policy = new NetworkPolicySpec();
    policy.setEnabled(true);
    server.getSpec().setNetworkPolicy(policy);
  }

  private static ModelServer get(String name, String ns) {
    return client.resources(ModelServer.class).inNamespace(ns).withName(name).get();
  }

  private static NetworkPolicy policy(String name, String ns) {
    return client.network().v1().networkPolicies().inNamespace(ns).withName(name).get();
  }

  private static Deployment deployment(String name, String ns) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  private static Optional<Condition> condition(ModelServer server, String type) {
    if (server == null || server.getStatus() == null) {
      return Optional.empty();
    }
    return server.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst();
  }

  /** The namespaces (by their kubernetes.io/metadata.name) a rule admits. */
  private static List<String> namespaceNames(NetworkPolicyIngressRule rule) {
    return rule.getFrom().stream()
        .map(NetworkPolicyPeer::getNamespaceSelector)
        .map(s -> s.getMatchLabels().get("kubernetes.io/metadata.name"))
        .toList();
  }

  private static int containerPort(Deployment deployment, String name) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void enabled_policy_admits_http_from_the_own_namespace_and_metrics_from_monitoring_only() {
    String ns = cluster.namespace();
    ModelServer server = create("embeddings", ns, NetworkPolicyIT::enable);

    await().atMost(TIMEOUT).ignoreExceptions().until(() -> policy("embeddings", ns) != null);
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> deployment("embeddings", ns) != null);
    NetworkPolicy policy = policy("embeddings", ns);
    Deployment deployment = deployment("embeddings", ns);

    assertThat(policy.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getUid()).isEqualTo(server.getMetadata().getUid());
              assertThat(ref.getController()).isTrue();
            });
    assertThat(policy.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/instance", "embeddings")
        .containsEntry("app.kubernetes.io/managed-by", "mlplatform-operator");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .as("the policy selects the model server's pods")
        .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
    assertThat(policy.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
    assertThat(policy.getSpec().getPolicyTypes())
        .as("listing Ingress denies every ingress the rules do not allow")
        .containsExactly("Ingress");
    assertThat(policy.getSpec().getEgress()).isNullOrEmpty();

    List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
    assertThat(rules).hasSize(2);
    assertThat(rules.get(0).getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort().getIntVal()).isEqualTo(containerPort(deployment, "http"));
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
    assertThat(namespaceNames(rules.get(0))).containsExactly(ns);
    assertThat(rules.get(1).getPorts())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getPort().getIntVal())
                    .isEqualTo(containerPort(deployment, "metrics")));
    assertThat(namespaceNames(rules.get(1))).containsExactly("monitoring");
  }

  @Test
  void policy_is_off_by_default_and_disabling_it_deletes_it() {
    String ns = cluster.namespace();
    create("open", ns, s -> {});
    create("closed", ns, NetworkPolicyIT::enable);
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> policy("closed", ns) != null);
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(() -> condition(get("open", ns), "Ready").isPresent());
    assertThat(policy("open", ns)).isNull();

    Conflicts.retry(
        () ->
            client
                .resources(ModelServer.class)
                .inNamespace(ns)
                .withName("closed")
                .edit(
                    s -> {
                      s.getSpec().getNetworkPolicy().setEnabled(false);
                      return s;
                    }));

    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(policy("closed", ns)).isNull();
              assertThat(client.v1().events().inNamespace(ns).list().getItems())
                  .extracting(Event::getMessage)
                  .contains("Deleted NetworkPolicy closed");
            });
    assertThat(deployment("closed", ns)).isNotNull();
  }

  @Test
  void invalid_namespaces_and_selectors_are_invalid_spec_naming_the_fields() {
    String ns = cluster.namespace();
    create(
        "embeddings",
        ns,
        s -> {
          NetworkPolicySpec policy = new NetworkPolicySpec();
          policy.setEnabled(true);
          policy.setAllowedNamespaces(List.of("Team_A"));
          policy.setAllowedNamespaceSelectors(
              List.of(
                  new LabelSelectorBuilder()
                      .addNewMatchExpression()
                      .withKey("team")
                      .withOperator("Equals")
                      .withValues("search")
                      .endMatchExpression()
                      .build()));
          // rules of the operator's, not the CRD's: the API server accepts them
          s.getSpec().setNetworkPolicy(policy);
        });

    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Condition degraded = condition(get("embeddings", ns), "Degraded").orElseThrow();
              assertThat(degraded.getStatus()).isEqualTo("True");
              assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
              assertThat(degraded.getMessage())
                  .contains(
                      "spec.networkPolicy.allowedNamespaces[0]: 'Team_A' is not a namespace name",
                      "spec.networkPolicy.allowedNamespaceSelectors[0].matchExpressions[0]"
                          + ".operator: must be In, NotIn, Exists or DoesNotExist, got 'Equals'");
            });
    assertThat(policy("embeddings", ns)).isNull();
    assertThat(deployment("embeddings", ns)).isNull();
  }
}
