package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator's server-side apply against a real API server with real field managers: what it
 * applies comes back after someone else changes it, what others own (the HPA's replicas, extra
 * annotations) it leaves alone, and a reconciliation that finds nothing to change writes nothing.
 * The mock API server's apply handler can only approximate the field ownership these rely on.
 */
class ServerSideApplyIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String NAME = "embeddings";
  private static final String OPERATOR = ModelServerReconciler.NAME;

  private static KubernetesClient client() {
    return cluster.client();
  }

  private static String ns() {
    return cluster.namespace();
  }

  private static ModelServer create(ModelServer server) {
    ModelServer created = client().resource(server).create();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(Children.of(client(), ns(), NAME)).hasSize(5));
    return created;
  }

  private static Deployment deployment() {
    return client().apps().deployments().inNamespace(ns()).withName(NAME).get();
  }

  private static ModelServer modelServer(String name) {
    return client().resources(ModelServer.class).inNamespace(ns()).withName(name).get();
  }

  private static String configHash(Deployment deployment) {
    return deployment
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(DeploymentDesiredState.CONFIG_HASH_ANNOTATION);
  }

  /** A spec change that changes the ConfigMap and so the Deployment's pod template. */
  private static void changeBatchSize(int size) {
    // a merge patch, as kubectl patch --type merge sends it: no resourceVersion, so no conflict
    // with the operator's status writes
    client()
        .resources(ModelServer.class)
        .inNamespace(ns())
        .withName(NAME)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"batching\":{\"maxBatchSize\":" + size + "}}}");
  }

  /** The operator's own apply entry on {@code deployment}: exactly one, for the main resource. */
  private static ManagedFieldsEntry operatorEntry(Deployment deployment) {
    List<ManagedFieldsEntry> entries = Children.managedBy(deployment, OPERATOR);
    assertThat(entries)
        .singleElement()
        .extracting(ManagedFieldsEntry::getOperation)
        .isEqualTo("Apply");
    return entries.get(0);
  }

  /** Managers whose entries own the Deployment's spec.replicas. */
  private static List<String> replicasOwners(Deployment deployment) {
    return deployment.getMetadata().getManagedFields().stream()
        .filter(
            e ->
                Children.fields(e).contains("\"f:replicas\"")
                    && !"status".equals(e.getSubresource()))
        .map(ManagedFieldsEntry::getManager)
        .toList();
  }

  @Test
  void hand_edited_children_are_restored_and_what_others_added_is_kept() {
    ModelServer server = Children.minimal(NAME, ns());
    NetworkPolicySpec networkPolicy = new NetworkPolicySpec();
    networkPolicy.setEnabled(true);
    server.getSpec().setNetworkPolicy(networkPolicy);
    create(server);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client().network().networkPolicies().inNamespace(ns()).withName(NAME).get()
                    != null);

    // a person with kubectl edit: plain updates, recorded under their own field manager
    try (KubernetesClient person = cluster.newClient("kubectl-edit/v1.32.6")) {
      person
          .services()
          .inNamespace(ns())
          .withName(NAME)
          .edit(
              s -> {
                s.getSpec().getPorts().get(0).setPort(8081);
                s.getMetadata().getAnnotations().put("example.com/owner", "search-team");
                return s;
              });
      person
          .configMaps()
          .inNamespace(ns())
          .withName(NAME + "-config")
          .edit(
              c -> {
                c.getData().put("MAX_BATCH_SIZE", "1");
                return c;
              });
      person
          .apps()
          .deployments()
          .inNamespace(ns())
          .withName(NAME)
          .edit(
              d -> {
                d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil:latest");
                return d;
              });
      // opens the HTTP port to every namespace
      person
          .network()
          .networkPolicies()
          .inNamespace(ns())
          .withName(NAME)
          .edit(
              p -> {
                p.getSpec()
                    .getIngress()
                    .get(0)
                    .getFrom()
                    .get(0)
                    .setNamespaceSelector(new LabelSelectorBuilder().build());
                return p;
              });
    }

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              var service = client().services().inNamespace(ns()).withName(NAME).get();
              assertThat(service.getSpec().getPorts())
                  .extracting(ServicePort::getName, ServicePort::getPort)
                  .containsExactly(tuple("http", 80), tuple("metrics", 9090));
              assertThat(service.getMetadata().getAnnotations())
                  .as("a field another manager added is not the operator's to remove")
                  .containsEntry("example.com/owner", "search-team");
              assertThat(
                      client()
                          .configMaps()
                          .inNamespace(ns())
                          .withName(NAME + "-config")
                          .get()
                          .getData())
                  .containsEntry("MAX_BATCH_SIZE", "32");
              assertThat(
                      deployment()
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .get(0)
                          .getImage())
                  .isEqualTo(TestModelServers.DEFAULT_IMAGE);
              assertThat(
                      client()
                          .network()
                          .networkPolicies()
                          .inNamespace(ns())
                          .withName(NAME)
                          .get()
                          .getSpec()
                          .getIngress()
                          .get(0)
                          .getFrom())
                  .extracting(peer -> peer.getNamespaceSelector().getMatchLabels())
                  .containsExactly(Map.of("kubernetes.io/metadata.name", ns()));
            });
  }

  @Test
  void replicas_set_through_the_scale_subresource_survive_the_operators_next_apply() {
    create(Children.minimal(NAME, ns()));
    String hashBefore = configHash(deployment());
    // what the HPA controller does: write the scale subresource as its own field manager
    try (KubernetesClient hpa = cluster.newClient("horizontal-pod-autoscaler-stand-in/v1")) {
      hpa.apps().deployments().inNamespace(ns()).withName(NAME).scale(3);
    }

    changeBatchSize(8);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(configHash(deployment())).isNotEqualTo(hashBefore));
    Deployment applied = deployment();
    assertThat(applied.getSpec().getReplicas()).isEqualTo(3);
    assertThat(Children.fields(operatorEntry(applied)))
        .as("the operator's apply owns the template but not spec.replicas")
        .contains("\"f:template\"")
        .doesNotContain("\"f:replicas\"");
    assertThat(replicasOwners(applied))
        .as("a write through /scale records no owner while no one owned spec.replicas before")
        .isEmpty();
  }

  @Test
  void hpa_controller_scales_to_min_replicas_and_the_operator_leaves_them() {
    ModelServer server = Children.minimal(NAME, ns());
    server.getSpec().setReplicas(new ReplicasSpec(2, 4));
    create(server);

    // kube-controller-manager's HPA controller: 1 replica (the API server's default) < min 2
    await()
        .atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(deployment().getSpec().getReplicas()).isEqualTo(2));
    String hashBefore = configHash(deployment());

    changeBatchSize(16);

    await()
        .atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(configHash(deployment())).isNotEqualTo(hashBefore));
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(2);
    assertThat(replicasOwners(deployment())).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"modelserver-minimal.yaml", "modelserver-full.yaml"})
  void a_reconciliation_that_finds_its_children_as_applied_writes_none(String example) {
    ModelServer server = Children.example(example, ns());
    String name = server.getMetadata().getName();
    int min = client().resource(server).create().getSpec().getReplicas().getMin();
    // settled: the HPA controller scaled to min, the Deployment controller reported the pods and
    // the operator wrote that status
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(modelServer(name).getStatus().getReplicas()).isEqualTo(min));
    List<String> versions = versions(name);
    int replicas = min + 1;

    // Another manager scales the Deployment: its status changes, so the operator reconciles and
    // compares every child it applied with what the server now holds (defaults filled in, zero
    // values dropped, quantities normalised, fields owned by others).
    try (KubernetesClient hpa = cluster.newClient("horizontal-pod-autoscaler-stand-in/v1")) {
      hpa.apps().deployments().inNamespace(ns()).withName(name).scale(replicas);
    }
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(modelServer(name).getStatus().getReplicas()).isEqualTo(replicas));

    await()
        .during(Duration.ofSeconds(1))
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(client().v1().events().inNamespace(ns()).list().getItems())
                    .filteredOn(e -> OPERATOR.equals(e.getReportingComponent()))
                    .extracting(Event::getMessage)
                    .as("the operator records an Event for every child it writes")
                    .noneMatch(m -> m.startsWith("Updated") || m.startsWith("Deleted")));
    assertThat(versions(name)).isEqualTo(versions);
  }

  /**
   * The operator's own apply entry of every child: its time and fields change only when an apply of
   * the operator changes something (status writes by the controllers leave it). The Deployment is
   * left out: the scaling changes it.
   */
  private static List<String> versions(String name) {
    return Children.all(client(), ns(), name).stream()
        .filter(c -> !c.getKind().equals("Deployment"))
        .map(
            c ->
                c.getKind()
                    + " "
                    + Children.managedBy(c, OPERATOR).stream()
                        .map(e -> e.getTime() + " " + Children.fields(e))
                        .toList())
        .toList();
  }
}
