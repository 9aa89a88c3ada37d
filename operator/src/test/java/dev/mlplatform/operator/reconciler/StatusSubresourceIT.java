package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator writes a ModelServer's status through the status subresource of a real API server:
 * observedGeneration follows every spec change, status writes never bump the generation, the
 * numbers come from the real Deployment controller, and the operator owns no field of the user's
 * spec, although the API server now fills in its defaults.
 */
class StatusSubresourceIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String NAME = "embeddings";

  private static KubernetesClient client() {
    return cluster.client();
  }

  private static ModelServer modelServer() {
    return client()
        .resources(ModelServer.class)
        .inNamespace(cluster.namespace())
        .withName(NAME)
        .get();
  }

  private static Condition condition(ModelServer server, String type) {
    return server.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static void awaitObserved(long generation) {
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ModelServer server = modelServer();
              assertThat(server.getMetadata().getGeneration()).isEqualTo(generation);
              assertThat(server.getStatus().getObservedGeneration()).isEqualTo(generation);
              assertThat(server.getStatus().getConditions())
                  .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(generation));
            });
  }

  private static void changeBatchSize(int size) {
    // a merge patch, as kubectl patch --type merge sends it: no resourceVersion, so no conflict
    // with the operator's status writes
    client()
        .resources(ModelServer.class)
        .inNamespace(cluster.namespace())
        .withName(NAME)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"batching\":{\"maxBatchSize\":" + size + "}}}");
  }

  @Test
  void observed_generation_reaches_the_generation_of_each_spec_change() {
    client().resource(Children.minimal(NAME, cluster.namespace())).create();
    awaitObserved(1);

    changeBatchSize(8);
    awaitObserved(2);

    changeBatchSize(16);
    awaitObserved(3);
    assertThat(
            client()
                .configMaps()
                .inNamespace(cluster.namespace())
                .withName(NAME + "-config")
                .get()
                .getData())
        .containsEntry("MAX_BATCH_SIZE", "16");
  }

  @Test
  void status_reports_what_the_real_deployment_controller_did() {
    client().resource(Children.minimal(NAME, cluster.namespace())).create();

    // one replica (the API server's default, the HPA's min), its pod Pending: no scheduler here
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ModelServer server = modelServer();
              assertThat(server.getStatus().getReplicas()).isEqualTo(1);
              assertThat(server.getStatus().getReadyReplicas()).isZero();
              assertThat(server.getStatus().getReady()).isEqualTo("0/1");
              assertThat(server.getStatus().getUrl())
                  .isEqualTo("http://" + NAME + "." + cluster.namespace() + ".svc.cluster.local");
              assertThat(condition(server, "Ready").getStatus()).isEqualTo("False");
              assertThat(condition(server, "Ready").getReason()).isEqualTo("NoReadyReplicas");
              assertThat(condition(server, "Progressing").getStatus()).isEqualTo("True");
              assertThat(condition(server, "Degraded").getStatus()).isEqualTo("False");
              assertThat(condition(server, "MonitoringReady").getReason())
                  .as("this API server serves no monitoring.coreos.com")
                  .isEqualTo("ServiceMonitorCRDMissing");
            });
    assertThat(modelServer().getMetadata().getGeneration())
        .as("status writes go to the status subresource: no new generation")
        .isEqualTo(1);
  }

  @Test
  void the_operator_owns_only_the_status_although_the_server_defaults_the_spec() {
    client().resource(Children.minimal(NAME, cluster.namespace())).create();
    awaitObserved(1);

    ModelServer server = modelServer();
    assertThat(server.getSpec().getReplicas().getMax())
        .as("the API server filled in the schema default")
        .isEqualTo(5);
    assertThat(Children.managedBy(server, ModelServerReconciler.NAME))
        .isNotEmpty()
        .allSatisfy(
            entry -> {
              assertThat(entry.getSubresource()).isEqualTo("status");
              assertThat(Children.fields(entry)).doesNotContain("\"f:spec\"");
            });
    assertThat(server.getMetadata().getManagedFields())
        .filteredOn(e -> e.getSubresource() == null || e.getSubresource().isEmpty())
        .extracting(ManagedFieldsEntry::getManager)
        .doesNotContain(ModelServerReconciler.NAME);
  }
}
