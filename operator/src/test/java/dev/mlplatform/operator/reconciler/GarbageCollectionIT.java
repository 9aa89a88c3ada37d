package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deleting a ModelServer takes everything it owns with it, through the owner references the
 * operator sets and kube-controller-manager's garbage collector, the way a cluster does it (the
 * mock API server has no garbage collector). The operator has no finalizer: nothing of its own to
 * clean up.
 */
class GarbageCollectionIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** All six children (NetworkPolicy on) exist, and the controllers made a ReplicaSet and a pod. */
  private static ModelServer createWithEveryChild(String name) {
    KubernetesClient client = cluster.client();
    String ns = cluster.namespace();
    ModelServer server = Children.minimal(name, ns);
    NetworkPolicySpec networkPolicy = new NetworkPolicySpec();
    networkPolicy.setEnabled(true);
    server.getSpec().setNetworkPolicy(networkPolicy);
    ModelServer created = client.resource(server).create();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(Children.of(client, ns, name)).hasSize(5);
              assertThat(client.network().networkPolicies().inNamespace(ns).withName(name).get())
                  .isNotNull();
              assertThat(
                      client
                          .apps()
                          .replicaSets()
                          .inNamespace(ns)
                          .withLabels(Children.podSelector(name))
                          .list()
                          .getItems())
                  .hasSize(1);
              assertThat(
                      client
                          .pods()
                          .inNamespace(ns)
                          .withLabels(Children.podSelector(name))
                          .list()
                          .getItems())
                  .as("the ReplicaSet controller created the pod (Pending: no scheduler)")
                  .hasSize(1);
            });
    return created;
  }

  private static List<HasMetadata> everythingOf(String name) {
    KubernetesClient client = cluster.client();
    String ns = cluster.namespace();
    List<HasMetadata> all = new ArrayList<>(Children.of(client, ns, name));
    all.addAll(client.network().networkPolicies().inNamespace(ns).list().getItems());
    all.addAll(client.apps().replicaSets().inNamespace(ns).list().getItems());
    all.addAll(client.pods().inNamespace(ns).list().getItems());
    return all;
  }

  @Test
  void deleting_the_model_server_deletes_every_child_and_its_pods() {
    ModelServer server = createWithEveryChild("embeddings");
    assertThat(Children.of(cluster.client(), cluster.namespace(), "embeddings"))
        .allSatisfy(
            child ->
                assertThat(child.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(
                        ref -> {
                          assertThat(ref.getUid()).isEqualTo(server.getMetadata().getUid());
                          assertThat(ref.getBlockOwnerDeletion()).isTrue();
                        }));

    cluster.client().resource(server).delete();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(everythingOf("embeddings"))
                    .extracting(c -> c.getKind() + " " + c.getMetadata().getName())
                    .isEmpty());
  }

  @Test
  void foreground_deletion_keeps_the_model_server_until_its_children_are_gone() {
    ModelServer server = createWithEveryChild("embeddings");

    cluster
        .client()
        .resource(server)
        .withPropagationPolicy(DeletionPropagation.FOREGROUND)
        .delete();

    ModelServer deleting =
        cluster
            .client()
            .resources(ModelServer.class)
            .inNamespace(cluster.namespace())
            .withName("embeddings")
            .get();
    // gone already if the collector was quicker than this read; otherwise it waits for the children
    if (deleting != null) {
      assertThat(deleting.getMetadata().getFinalizers()).contains("foregroundDeletion");
    }
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(everythingOf("embeddings")).isEmpty();
              assertThat(
                      cluster
                          .client()
                          .resources(ModelServer.class)
                          .inNamespace(cluster.namespace())
                          .withName("embeddings")
                          .get())
                  .isNull();
            });
  }
}
