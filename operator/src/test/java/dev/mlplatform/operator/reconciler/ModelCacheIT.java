package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.operator.api.v1alpha1.CacheAccessMode;
import dev.mlplatform.operator.api.v1alpha1.ModelCacheSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.testing.Children;
import dev.mlplatform.operator.testing.Conflicts;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.model.cache with the operator on a real API server ({@link RealCluster}): the claim it
 * provisions and validates, the pods that mount it, garbage collection with the ModelServer, and
 * the transition rules that refuse the changes a PersistentVolumeClaim cannot take. No storage
 * provisioner runs here, so the claims stay Pending; what is checked is what one would bind.
 */
class ModelCacheIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.withOperator();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static KubernetesClient client;

  @BeforeAll
  static void client() {
    client = cluster.client();
  }

  private static ModelServer create(String name, String ns, Consumer<ModelCacheSpec> cache) {
    ModelServer server = Children.minimal(name, ns);
    server.getSpec().getModel().setId("BAAI/bge-small-en-v1.5");
    ModelCacheSpec spec = new ModelCacheSpec();
    cache.accept(spec);
    server.getSpec().getModel().setCache(spec);
    return client.resource(server).create();
  }

  private static PersistentVolumeClaim claim(String ns, String name) {
    return client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
  }

  private static void edit(String ns, String name, Consumer<ModelServer> change) {
    Conflicts.retry(
        () ->
            client
                .resources(ModelServer.class)
                .inNamespace(ns)
                .withName(name)
                .edit(
                    s -> {
                      change.accept(s);
                      return s;
                    }));
  }

  @Test
  void the_claim_is_created_with_the_schema_defaults_mounted_by_both_containers_and_collected() {
    String ns = cluster.namespace();
    ModelServer server = create("bge", ns, c -> {});

    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(
            () ->
                claim(ns, "bge-model-cache") != null
                    && client.apps().deployments().inNamespace(ns).withName("bge").get() != null);
    PersistentVolumeClaim claim = claim(ns, "bge-model-cache");
    assertThat(claim.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getUid()).isEqualTo(server.getMetadata().getUid());
              assertThat(ref.getController()).isTrue();
            });
    assertThat(claim.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "mlplatform-operator");
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("10Gi"));
    ModelCacheSpec stored =
        client
            .resources(ModelServer.class)
            .inNamespace(ns)
            .withName("bge")
            .get()
            .getSpec()
            .getModel()
            .getCache();
    assertThat(stored.getSize()).as("the schema's default").isEqualTo("10Gi");
    assertThat(stored.getAccessMode()).isEqualTo(CacheAccessMode.ReadWriteOnce);

    PodSpec pod =
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName("bge")
            .get()
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("bge-model-cache"));
    assertThat(Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()))
        .extracting(Container::getName)
        .containsExactly(DeploymentDesiredState.FETCH_CONTAINER, DeploymentDesiredState.CONTAINER);
    assertThat(Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()))
        .allSatisfy(
            c ->
                assertThat(c.getVolumeMounts())
                    .filteredOn(m -> m.getName().equals(DeploymentDesiredState.MODEL_CACHE_VOLUME))
                    .extracting(VolumeMount::getMountPath)
                    .containsExactly(DeploymentDesiredState.SHARED_MODEL_CACHE_DIR));

    client.resource(server).delete();

    // the pods (unscheduled here) go first; then pvc-protection lets the claim go
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(claim(ns, "bge-model-cache")).isNull());
  }

  @Test
  void removing_the_cache_section_deletes_the_claim_and_the_pods_go_back_to_an_empty_dir() {
    String ns = cluster.namespace();
    create("bge", ns, c -> c.setSize("1Gi"));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> claim(ns, "bge-model-cache") != null);

    edit(ns, "bge", s -> s.getSpec().getModel().setCache(null));

    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Deployment deployment =
                  client.apps().deployments().inNamespace(ns).withName("bge").get();
              assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
                  .noneMatch(v -> v.getPersistentVolumeClaim() != null);
              assertThat(claim(ns, "bge-model-cache")).isNull();
            });
  }

  @Test
  void a_grown_cache_is_applied_to_the_claim_and_a_shrink_or_a_new_class_or_mode_is_refused() {
    String ns = cluster.namespace();
    create(
        "bge",
        ns,
        c -> {
          c.setSize("2Gi");
          c.setStorageClassName("standard");
        });
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> claim(ns, "bge-model-cache") != null);

    assertRefused(
        ns, c -> c.setSize("1Gi"), "model.cache.size cannot shrink: a PersistentVolumeClaim");
    assertRefused(
        ns,
        c -> c.setStorageClassName("fast"),
        "model.cache.storageClassName cannot change: a PersistentVolumeClaim's storage class");
    assertRefused(
        ns,
        c -> c.setStorageClassName(null),
        "model.cache.storageClassName cannot change: a PersistentVolumeClaim's storage class");
    assertRefused(
        ns,
        c -> c.setAccessMode(CacheAccessMode.ReadWriteMany),
        "model.cache.accessMode cannot change: a PersistentVolumeClaim's access modes");

    // 2048Mi is 2Gi written another way: no shrink
    edit(ns, "bge", s -> s.getSpec().getModel().getCache().setSize("2048Mi"));
    edit(ns, "bge", s -> s.getSpec().getModel().getCache().setSize("3Gi"));
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ModelServer server =
                  client.resources(ModelServer.class).inNamespace(ns).withName("bge").get();
              // a Pending claim of a class that does not exist cannot be expanded: the API server
              // refuses the change and the ModelServer says so
              assertThat(server.getStatus().getConditions())
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo("Degraded");
                        assertThat(c.getStatus()).isEqualTo("True");
                        assertThat(c.getMessage()).contains("bge-model-cache");
                      });
            });
  }

  @Test
  void a_size_the_api_server_spells_another_way_is_not_written_again_at_each_reconciliation() {
    String ns = cluster.namespace();
    create("bge", ns, c -> c.setSize("1024Mi"));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> reconciled(ns, 1));
    assertThat(claim(ns, "bge-model-cache").getSpec().getResources().getRequests().get("storage"))
        .as("the claim as stored: the API server writes the canonical 1Gi")
        .hasToString("1Gi");
    double before = claimUpdates();

    // a change that leaves the claim alone (its labels included), reconciled
    edit(ns, "bge", s -> s.getSpec().getBatching().setMaxBatchSize(8));
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> reconciled(ns, 2));

    assertThat(claimUpdates() - before)
        .as("claim updates for a size equal to the stored one but spelt 1024Mi")
        .isZero();
  }

  private static boolean reconciled(String ns, long generation) {
    ModelServer server = client.resources(ModelServer.class).inNamespace(ns).withName("bge").get();
    return server.getMetadata().getGeneration() == generation
        && server.getStatus().getObservedGeneration() == generation
        && claim(ns, "bge-model-cache") != null;
  }

  private static double claimUpdates() {
    return cluster
        .registry()
        .find("mlplatform.operator.child.writes")
        .tag("kind", "PersistentVolumeClaim")
        .tag("operation", "updated")
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static void assertRefused(String ns, Consumer<ModelCacheSpec> change, String message) {
    assertThatThrownBy(() -> edit(ns, "bge", s -> change.accept(s.getSpec().getModel().getCache())))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains(message);
            });
  }
}
