package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.AuthSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentDesiredStateTest {

  private static Deployment render(ModelServer server) {
    return DeploymentDesiredState.build(
        server, ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE));
  }

  private static Container container(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void deployment_never_sets_replicas_so_the_hpa_owns_them() {
    assertThat(render(TestModelServers.minimal("a", "ns")).getSpec().getReplicas()).isNull();
    assertThat(render(TestModelServers.full("a", "ns")).getSpec().getReplicas()).isNull();
  }

  @Test
  void is_owned_by_the_model_server_as_controller() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    var refs = render(server).getMetadata().getOwnerReferences();
    assertThat(refs).hasSize(1);
    assertThat(refs.get(0).getUid()).isEqualTo(server.getMetadata().getUid());
    assertThat(refs.get(0).getKind()).isEqualTo("ModelServer");
    assertThat(refs.get(0).getApiVersion()).isEqualTo("serving.mlplatform.dev/v1alpha1");
    assertThat(refs.get(0).getController()).isTrue();
  }

  @Test
  void carries_the_design_labels_and_selects_pods_by_name_and_instance() {
    Deployment deployment = render(TestModelServers.minimal("a", "ns"));
    assertThat(deployment.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/name", "model-server")
        .containsEntry("app.kubernetes.io/instance", "a")
        .containsEntry("app.kubernetes.io/component", "inference")
        .containsEntry("app.kubernetes.io/managed-by", "mlplatform-operator")
        .containsEntry("app.kubernetes.io/version", "0.1.0");
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .isEqualTo(
            Map.of("app.kubernetes.io/name", "model-server", "app.kubernetes.io/instance", "a"));
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void probes_hit_the_server_health_routes_on_the_http_port() {
    Container container = container(render(TestModelServers.minimal("a", "ns")));
    assertThat(container.getName()).isEqualTo("model-server");
    assertThat(container.getPorts())
        .extracting(p -> p.getName() + "=" + p.getContainerPort())
        .containsExactly("http=8080", "metrics=9090");
    assertProbe(container.getStartupProbe(), "/health/live");
    assertProbe(container.getLivenessProbe(), "/health/live");
    assertProbe(container.getReadinessProbe(), "/health/ready");
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
  }

  @Test
  void start_up_failures_reach_the_termination_message() {
    assertThat(container(render(TestModelServers.minimal("a", "ns"))).getTerminationMessagePolicy())
        .isEqualTo("FallbackToLogsOnError");
  }

  @Test
  void reads_its_environment_from_the_config_map() {
    Container container = container(render(TestModelServers.minimal("a", "ns")));
    assertThat(container.getEnvFrom()).hasSize(1);
    assertThat(container.getEnvFrom().get(0).getConfigMapRef().getName()).isEqualTo("a-config");
  }

  @Test
  void rollouts_never_reduce_capacity() {
    var rolling = render(TestModelServers.minimal("a", "ns")).getSpec().getStrategy();
    assertThat(rolling.getType()).isEqualTo("RollingUpdate");
    assertThat(rolling.getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
  }

  @Test
  void runs_under_the_restricted_pod_security_profile_with_writable_caches_on_empty_dirs() {
    Deployment deployment = render(TestModelServers.minimal("a", "ns"));
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container container = container(deployment);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var sc = container.getSecurityContext();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .containsExactly("tmp:/tmp", "cache:/var/cache/mlplatform");
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(container.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .containsExactly(
            "MODEL_CACHE_DIR=/var/cache/mlplatform",
            "DJL_CACHE_DIR=/var/cache/mlplatform/djl",
            "ENGINE_CACHE_DIR=/var/cache/mlplatform/engine");
  }

  @Test
  void grace_period_outlasts_the_servers_drain() {
    ModelServer defaults = TestModelServers.minimal("a", "ns");
    assertThat(
            render(defaults).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(5 + 30L);
    ModelServer longDrain = TestModelServers.minimal("a", "ns");
    longDrain.getSpec().setConfig(Map.of("SHUTDOWN_DRAIN_SECONDS", "20"));
    assertThat(
            render(longDrain).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(20 + 30L);
  }

  @Test
  void config_change_changes_the_pod_template_hash_annotation() {
    ModelServer before = TestModelServers.minimal("a", "ns");
    ModelServer after = TestModelServers.minimal("a", "ns");
    BatchingSpec batching = new BatchingSpec();
    batching.setMaxBatchSize(8);
    after.getSpec().setBatching(batching);
    String hashBefore =
        render(before)
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(DeploymentDesiredState.CONFIG_HASH_ANNOTATION);
    String hashAfter =
        render(after)
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations()
            .get(DeploymentDesiredState.CONFIG_HASH_ANNOTATION);
    assertThat(hashBefore).matches("[0-9a-f]{16}");
    assertThat(hashAfter).matches("[0-9a-f]{16}").isNotEqualTo(hashBefore);
    assertThat(
            render(TestModelServers.minimal("a", "ns"))
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(DeploymentDesiredState.CONFIG_HASH_ANNOTATION))
        .as("same spec, same hash")
        .isEqualTo(hashBefore);
  }

  @Test
  void user_pod_labels_cannot_override_the_operators_labels() {
    ModelServer server = TestModelServers.full("a", "ns");
    server.getSpec().getPod().setLabels(Map.of("app.kubernetes.io/instance", "other", "team", "x"));
    var labels = render(server).getSpec().getTemplate().getMetadata().getLabels();
    assertThat(labels).containsEntry("app.kubernetes.io/instance", "a").containsEntry("team", "x");
  }

  @Test
  void image_defaults_to_the_operator_setting_and_spec_image_wins() {
    assertThat(container(render(TestModelServers.minimal("a", "ns"))).getImage())
        .isEqualTo(TestModelServers.DEFAULT_IMAGE);
    assertThat(container(render(TestModelServers.full("a", "ns"))).getImage())
        .isEqualTo("registry.example.com/model-server:1.2.3");
  }

  @Test
  void the_api_key_comes_from_the_referenced_secret_and_never_from_the_config_map() {
    ModelServer open = TestModelServers.minimal("a", "ns");
    ModelServer secured = TestModelServers.minimal("a", "ns");
    AuthSpec auth = new AuthSpec();
    auth.setApiKeySecretRef(new SecretKeyRef("search-api", "key"));
    secured.getSpec().setAuth(auth);

    assertThat(container(render(open)).getEnv()).noneMatch(e -> e.getName().equals("API_KEY"));
    var apiKey =
        container(render(secured)).getEnv().stream()
            .filter(e -> e.getName().equals("API_KEY"))
            .findFirst()
            .orElseThrow();
    assertThat(apiKey.getValue()).isNull();
    assertThat(apiKey.getValueFrom().getSecretKeyRef().getName()).isEqualTo("search-api");
    assertThat(apiKey.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("key");
    assertThat(
            ConfigMapDesiredState.build(
                    secured, ResolvedSpec.of(secured, TestModelServers.DEFAULT_IMAGE))
                .getData())
        .doesNotContainKey("API_KEY");
  }

  @Test
  void pods_carry_the_prometheus_scrape_hints_for_the_metrics_port() {
    var annotations =
        render(TestModelServers.minimal("a", "ns"))
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();

    assertThat(annotations)
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9090")
        .containsEntry("prometheus.io/path", "/metrics");
  }
}
