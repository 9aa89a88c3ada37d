package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.SecretKeyRef;
import dev.mlplatform.operator.security.RestrictedPodSecurity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a model's source shapes the pods: a download first, or a read-only volume. */
class ModelSourceDeploymentTest {

  private static ModelServer server(String id, String uri) {
    ModelServer server = TestModelServers.minimal("m", "ns");
    server.getSpec().getModel().setId(id);
    server.getSpec().getModel().setUri(uri);
    return server;
  }

  private static PodSpec pod(ModelServer server) {
    return DeploymentDesiredState.build(
            server, ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE))
        .getSpec()
        .getTemplate()
        .getSpec();
  }

  private static String modelUri(ModelServer server) {
    return ConfigMapDesiredState.data(ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE))
        .get("MODEL_URI");
  }

  @ParameterizedTest(name = "{0} {1}: download first = {2}")
  @CsvSource({
    "sentence-transformers/all-MiniLM-L6-v2, , false",
    "m, bundled:all-minilm-l6-v2-q, false",
    "m, file:///models/minilm, false",
    "m, pvc://models/minilm, false",
    "BAAI/bge-small-en-v1.5, , true",
    "m, hf://BAAI/bge-small-en-v1.5@main, true",
    "m, https://models.example/minilm.tar.gz, true"
  })
  void a_model_the_pod_must_download_gets_a_fetch_init_container(
      String id, String uri, boolean downloads) {
    PodSpec pod = pod(server(id, uri));

    assertThat(pod.getInitContainers()).hasSize(downloads ? 1 : 0);
  }

  @Test
  void the_fetch_container_runs_the_same_image_and_config_with_the_token_and_shares_the_cache() {
    ModelServer server = server("org/private-model", "hf://org/private-model");
    server.getSpec().getModel().setTokenSecretRef(new SecretKeyRef("hf-token", "token"));
    PodSpec pod = pod(server);
    Container fetch = pod.getInitContainers().get(0);
    Container serve = pod.getContainers().get(0);

    assertThat(fetch.getName()).isEqualTo(DeploymentDesiredState.FETCH_CONTAINER);
    assertThat(fetch.getImage()).isEqualTo(serve.getImage());
    assertThat(fetch.getArgs()).containsExactly("fetch");
    assertThat(fetch.getEnvFrom()).isEqualTo(serve.getEnvFrom());
    EnvVar token =
        fetch.getEnv().stream()
            .filter(e -> e.getName().equals("HF_TOKEN"))
            .findFirst()
            .orElseThrow();
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    // only the download sees the token
    assertThat(serve.getEnv()).noneMatch(e -> e.getName().equals("HF_TOKEN"));
    assertThat(fetch.getVolumeMounts()).isEqualTo(serve.getVolumeMounts());
    assertThat(fetch.getSecurityContext()).isEqualTo(serve.getSecurityContext());
    assertThat(RestrictedPodSecurity.violations(pod)).isEmpty();
  }

  @Test
  void a_pvc_model_is_mounted_read_only_and_served_as_a_directory() {
    ModelServer server = server("m", "pvc://model-store/teams/search/minilm");
    PodSpec pod = pod(server);

    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getPersistentVolumeClaim() != null)
            .findFirst()
            .orElseThrow();
    assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo("model-store");
    assertThat(volume.getPersistentVolumeClaim().getReadOnly()).isTrue();
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo(volume.getName());
              assertThat(m.getMountPath()).isEqualTo("/mnt/models/model-store");
              assertThat(m.getReadOnly()).isTrue();
            });
    assertThat(modelUri(server)).isEqualTo("file:///mnt/models/model-store/teams/search/minilm");
  }

  @Test
  void other_sources_reach_the_server_as_written() {
    assertThat(modelUri(server("m", "hf://BAAI/bge-small-en-v1.5@v1")))
        .isEqualTo("hf://BAAI/bge-small-en-v1.5@v1");
    assertThat(modelUri(server("BAAI/bge-small-en-v1.5", null))).isNull();
  }
}
