package dev.mlplatform.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigMapDesiredStateTest {

  private static Map<String, String> data(ModelServer server) {
    return ConfigMapDesiredState.build(
            server, ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE))
        .getData();
  }

  @Test
  void minimal_spec_gives_the_servers_documented_defaults() {
    assertThat(data(TestModelServers.minimal("a", "ns")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("MODEL_ID", "sentence-transformers/all-MiniLM-L6-v2"),
                Map.entry("MAX_SEQUENCE_LENGTH", "256"),
                Map.entry("NORMALIZE", "true"),
                Map.entry("POOLING", "mean"),
                Map.entry("MAX_BATCH_SIZE", "32"),
                Map.entry("MAX_BATCH_DELAY_MS", "5"),
                Map.entry("MAX_QUEUE_SIZE", "1024"),
                Map.entry("HTTP_PORT", "8080"),
                Map.entry("METRICS_PORT", "9090"),
                Map.entry("INFERENCE_WORKERS", "1"),
                Map.entry("INFERENCE_THREADS", "1"),
                Map.entry("SHUTDOWN_DRAIN_SECONDS", "5")));
  }

  @ParameterizedTest(name = "requests {0}, limits {1} -> {2} x {3}")
  @CsvSource(
      nullValues = "-",
      value = {
        "1, -, 1, 1",
        "500m, -, 1, 1",
        "2, -, 2, 1",
        "1500m, -, 2, 1",
        "4, -, 4, 1",
        "8, -, 4, 2",
        "1, 8, 4, 2", // a limit, when set, is the budget
        "-, -, 1, 1"
      })
  void inference_workers_and_threads_follow_the_pods_cpu_budget(
      String request, String limit, String workers, String threads) {
    ModelServer server = TestModelServers.minimal("a", "ns");
    ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder();
    if (request != null) {
      resources.addToRequests("cpu", new Quantity(request));
    }
    if (limit != null) {
      resources.addToLimits("cpu", new Quantity(limit));
    }
    resources.addToRequests("memory", new Quantity("1Gi"));
    server.getSpec().setResources(resources.build());

    assertThat(data(server))
        .containsEntry("INFERENCE_WORKERS", workers)
        .containsEntry("INFERENCE_THREADS", threads);
  }

  @Test
  void a_user_choosing_either_inference_key_gets_no_derived_ones() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    server.getSpec().setConfig(Map.of("INFERENCE_THREADS", "3"));

    assertThat(data(server))
        .containsEntry("INFERENCE_THREADS", "3")
        .doesNotContainKey("INFERENCE_WORKERS");
  }

  @Test
  void named_config_map_is_owned_by_the_model_server() {
    ModelServer server = TestModelServers.minimal("emb", "ns");
    var cm = ConfigMapDesiredState.build(server, ResolvedSpec.of(server, "img:1"));
    assertThat(cm.getMetadata().getName()).isEqualTo("emb-config");
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(cm.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getName()).isEqualTo("emb"));
  }

  @Test
  void typed_fields_win_over_config_extras_and_extras_pass_through() {
    ModelServer server = TestModelServers.full("a", "ns");
    server
        .getSpec()
        .setConfig(Map.of("MAX_BATCH_SIZE", "1", "HTTP_PORT", "1234", "LOG_FORMAT", "json"));
    assertThat(data(server))
        .containsEntry("MAX_BATCH_SIZE", "64")
        .containsEntry("HTTP_PORT", "8080")
        .containsEntry("LOG_FORMAT", "json")
        .containsEntry("MODEL_URI", "bundled:all-minilm-l6-v2")
        .containsEntry("MODEL_ENGINE", "OnnxRuntime")
        .containsEntry("POOLING", "cls");
  }

  @Test
  void extras_cannot_invent_a_model_uri_the_spec_left_to_the_server() {
    ModelServer server = TestModelServers.minimal("a", "ns");
    server.getSpec().setConfig(Map.of("MODEL_URI", "file:///elsewhere"));
    assertThat(data(server)).doesNotContainKey("MODEL_URI");
  }

  @Test
  void hash_depends_on_content_not_on_insertion_order() {
    assertThat(ConfigMapDesiredState.hash(Map.of("A", "1", "B", "2")))
        .isEqualTo(ConfigMapDesiredState.hash(new java.util.TreeMap<>(Map.of("B", "2", "A", "1"))))
        .isNotEqualTo(ConfigMapDesiredState.hash(Map.of("A", "1", "B", "3")))
        .isNotEqualTo(ConfigMapDesiredState.hash(Map.of("A", "1B", "", "2")));
  }
}
