package dev.mlplatform.operator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API server's Pod Security admission, enforcing the restricted profile on the namespace,
 * admits the pods the ReplicaSet controller creates from the operator's Deployment.
 * RestrictedPodSecurityTest checks the same rules offline; this is the authority.
 */
class PodSecurityIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @BeforeEach
  void enforceRestricted() {
    cluster
        .client()
        .namespaces()
        .withName(cluster.namespace())
        .edit(
            ns -> {
              ns.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "restricted");
              ns.getMetadata()
                  .getLabels()
                  .put("pod-security.kubernetes.io/enforce-version", "latest");
              return ns;
            });
  }

  @Test
  void restricted_namespace_admits_the_pods_of_a_model_server() {
    KubernetesClient client = cluster.client();
    String ns = cluster.namespace();
    client.resource(Children.minimal("embeddings", ns)).create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(client.v1().events().inNamespace(ns).list().getItems())
                  .filteredOn(e -> e.getReason().equals("FailedCreate"))
                  .extracting(Event::getMessage)
                  .as("the ReplicaSet controller's FailedCreate Events")
                  .isEmpty();
              assertThat(
                      client
                          .pods()
                          .inNamespace(ns)
                          .withLabels(Children.podSelector("embeddings"))
                          .list()
                          .getItems())
                  .hasSize(1);
            });
  }

  @Test
  void restricted_namespace_refuses_a_pod_that_breaks_the_profile() {
    // the control: admission really is enforcing here
    var pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("root")
            .withNamespace(cluster.namespace())
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("shell")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .build();

    assertThatThrownBy(() -> cluster.client().resource(pod).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getMessage()).contains("violates PodSecurity \"restricted:latest\"");
            });
  }
}
