package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.CacheAccessMode;
import dev.mlplatform.operator.api.v1alpha1.ModelCacheSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.reconciler.SpecValidator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** spec.model.cache: the claim the operator provisions and how the pods use it. */
class ModelCacheTest {

  private static ModelServer server(ModelCacheSpec cache) {
    ModelServer server = TestModelServers.minimal("bge", "ns");
    server.getSpec().getModel().setId("BAAI/bge-small-en-v1.5");
    server.getSpec().getModel().setCache(cache);
    return server;
  }

  private static ResolvedSpec resolved(ModelServer server) {
    return ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE);
  }

  private static PodSpec pod(ModelServer server) {
    return DeploymentDesiredState.build(server, resolved(server)).getSpec().getTemplate().getSpec();
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void an_empty_cache_section_gets_a_10Gi_read_write_once_claim_of_the_default_storage_class() {
    ModelServer server = server(new ModelCacheSpec());
    server.getMetadata().setUid("uid-1");

    PersistentVolumeClaim claim = PersistentVolumeClaimDesiredState.build(server, resolved(server));

    assertThat(claim.getMetadata().getName()).isEqualTo("bge-model-cache");
    assertThat(claim.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(claim.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/instance", "bge")
        .containsEntry("app.kubernetes.io/managed-by", "mlplatform-operator");
    assertThat(claim.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getUid()).isEqualTo("uid-1");
              assertThat(ref.getController()).isTrue();
            });
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getResources().getRequests())
        .containsExactly(java.util.Map.entry("storage", new Quantity("10Gi")));
    assertThat(claim.getSpec().getStorageClassName())
        .as("unset: the API server's admission picks the cluster's default class")
        .isNull();
  }

  @Test
  void size_storage_class_and_access_mode_flow_into_the_claim() {
    ModelCacheSpec cache = new ModelCacheSpec();
    cache.setSize("50Gi");
    cache.setStorageClassName("nfs-client");
    cache.setAccessMode(CacheAccessMode.ReadWriteMany);
    ModelServer server = server(cache);

    PersistentVolumeClaim claim = PersistentVolumeClaimDesiredState.build(server, resolved(server));

    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(claim.getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("50Gi"));
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("nfs-client");
  }

  @Test
  void the_fetch_and_serving_containers_mount_the_claim_and_keep_the_model_files_there() {
    PodSpec pod = pod(server(new ModelCacheSpec()));

    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals(DeploymentDesiredState.MODEL_CACHE_VOLUME))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("bge-model-cache");
              // writable: readOnly unset (the default false, which the API server does not store)
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isNull();
            });
    assertThat(Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()))
        .hasSize(2)
        .allSatisfy(
            c -> {
              assertThat(c.getVolumeMounts())
                  .filteredOn(m -> m.getName().equals(DeploymentDesiredState.MODEL_CACHE_VOLUME))
                  .extracting(VolumeMount::getMountPath)
                  .containsExactly(DeploymentDesiredState.SHARED_MODEL_CACHE_DIR);
              assertThat(env(c, "MODEL_CACHE_DIR"))
                  .isEqualTo(DeploymentDesiredState.SHARED_MODEL_CACHE_DIR);
              assertThat(env(c, "DJL_CACHE_DIR"))
                  .as("native libraries stay pod-local")
                  .startsWith(DeploymentDesiredState.CACHE_DIR + "/");
            });
  }

  @Test
  void without_a_cache_section_the_model_stays_on_the_pod_local_empty_dir() {
    ModelServer server = server(null);
    PodSpec pod = pod(server);

    assertThat(resolved(server).modelCache()).isEmpty();
    assertThat(pod.getVolumes())
        .extracting(Volume::getName)
        .doesNotContain(DeploymentDesiredState.MODEL_CACHE_VOLUME);
    assertThat(env(pod.getInitContainers().get(0), "MODEL_CACHE_DIR"))
        .isEqualTo(DeploymentDesiredState.CACHE_DIR);
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("cache"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0Gi", "ten", "10GB", "-1Gi", "1.5.0Gi", ""})
  void the_operator_refuses_sizes_the_schema_refuses(String size) {
    ModelCacheSpec cache = new ModelCacheSpec();
    cache.setSize(size);

    assertThat(SpecValidator.validate(server(cache).getSpec()))
        .singleElement()
        .asString()
        .startsWith("spec.model.cache.size: must be a quantity larger than zero");
  }

  @Test
  void the_operator_accepts_decimal_and_binary_sizes_and_refuses_a_bad_storage_class() {
    for (String size : List.of("512Mi", "1.5Gi", "20G", "1000000")) {
      ModelCacheSpec cache = new ModelCacheSpec();
      cache.setSize(size);
      assertThat(SpecValidator.validate(server(cache).getSpec())).as(size).isEmpty();
    }
    ModelCacheSpec cache = new ModelCacheSpec();
    cache.setStorageClassName("Fast_SSD");
    assertThat(SpecValidator.validate(server(cache).getSpec()))
        .containsExactly(
            "spec.model.cache.storageClassName: 'Fast_SSD' is not a StorageClass name");
  }
}
