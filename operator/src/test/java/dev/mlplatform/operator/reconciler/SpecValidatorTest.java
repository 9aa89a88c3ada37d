package dev.mlplatform.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlplatform.operator.TestModelServers;
import dev.mlplatform.operator.api.v1alpha1.AutoscalingSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.DisruptionBudgetSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServerSpec;
import dev.mlplatform.operator.api.v1alpha1.MonitoringSpec;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

  private static ModelServerSpec minimal() {
    return TestModelServers.minimal("a", "ns").getSpec();
  }

  @Test
  void minimal_and_full_specs_are_valid() {
    assertThat(SpecValidator.validate(minimal())).isEmpty();
    assertThat(SpecValidator.validate(TestModelServers.full("a", "ns").getSpec())).isEmpty();
  }

  @Test
  void max_below_min_names_the_replicas_fields() {
    ModelServerSpec spec = minimal();
    spec.setReplicas(new ReplicasSpec(3, 2));
    assertThat(SpecValidator.validate(spec))
        .containsExactly("spec.replicas.max: must be >= spec.replicas.min (2 < 3)");
  }

  @Test
  void max_below_the_default_min_is_caught_too() {
    ModelServerSpec spec = minimal();
    spec.setReplicas(new ReplicasSpec(null, 0));
    assertThat(SpecValidator.validate(spec))
        .anyMatch(p -> p.startsWith("spec.replicas.max: must be >= 1"));
  }

  @Test
  void zero_min_replicas_is_rejected() {
    ModelServerSpec spec = minimal();
    spec.setReplicas(new ReplicasSpec(0, 2));
    assertThat(SpecValidator.validate(spec))
        .containsExactly("spec.replicas.min: must be >= 1, got 0");
  }

  @Test
  void missing_model_id_is_rejected() {
    ModelServerSpec spec = minimal();
    spec.getModel().setId(" ");
    assertThat(SpecValidator.validate(spec)).containsExactly("spec.model.id: is required");
    spec.setModel(null);
    assertThat(SpecValidator.validate(spec)).containsExactly("spec.model: is required");
  }

  @Test
  void out_of_range_numbers_name_their_field_and_bounds() {
    ModelServerSpec spec = minimal();
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setTargetCPUUtilizationPercentage(0);
    autoscaling.setScaleDownStabilizationSeconds(4000);
    spec.setAutoscaling(autoscaling);
    BatchingSpec batching = new BatchingSpec();
    batching.setMaxBatchSize(5000);
    spec.setBatching(batching);
    spec.getModel().setMaxSequenceLength(0);
    assertThat(SpecValidator.validate(spec))
        .containsExactlyInAnyOrder(
            "spec.model.maxSequenceLength: must be in 1..8192, got 0",
            "spec.autoscaling.targetCPUUtilizationPercentage: must be in 1..100, got 0",
            "spec.autoscaling.scaleDownStabilizationSeconds: must be in 0..3600, got 4000",
            "spec.batching.maxBatchSize: must be in 1..1024, got 5000");
  }

  @Test
  void disruption_budget_takes_one_of_its_two_forms() {
    ModelServerSpec spec = minimal();
    DisruptionBudgetSpec pdb = new DisruptionBudgetSpec();
    pdb.setMaxUnavailable(1);
    pdb.setMinAvailable(1);
    spec.setDisruptionBudget(pdb);
    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.disruptionBudget: set at most one of maxUnavailable and minAvailable");
  }

  @Test
  void model_uri_must_use_a_known_scheme() {
    ModelServerSpec spec = minimal();
    spec.getModel().setUri("s3://bucket/model");
    assertThat(SpecValidator.validate(spec))
        .singleElement()
        .asString()
        .startsWith("spec.model.uri");
  }

  @Test
  void config_keys_must_be_settings_the_server_reads() {
    ModelServerSpec spec = minimal();
    spec.setConfig(Map.of("bad-key", "1", "SHUTDOWN_DRAIN_SECONDS", "soon"));
    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.config.bad-key: is not a setting of the model server; spec.config takes"
                + " MAX_BATCH_TOKENS, MAX_INPUTS_PER_REQUEST, MAX_REQUEST_BYTES,"
                + " INFERENCE_WORKERS, INFERENCE_THREADS, SHUTDOWN_DRAIN_SECONDS,"
                + " MAX_CONNECTION_AGE_SECONDS, LOG_FORMAT, HF_ENDPOINT, JAVA_OPTS",
            "spec.config.SHUTDOWN_DRAIN_SECONDS: must be a whole number from 0 to 3600, got"
                + " 'soon'");
  }

  @Test
  void an_api_key_in_the_config_map_is_refused_in_favour_of_a_secret() {
    ModelServerSpec spec = minimal();
    spec.setConfig(java.util.Map.of("API_KEY", "0123456789abcdef"));

    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.config.API_KEY: is set by the operator; use spec.auth.apiKeySecretRef instead"
                + " (a secret does not belong in the ConfigMap)");
  }

  @ParameterizedTest
  @CsvSource({
    "MAX_BATCH_SIZE, spec.batching.maxBatchSize",
    "MODEL_URI, spec.model.uri",
    "POOLING, spec.model.pooling",
    "HF_TOKEN, spec.model.tokenSecretRef",
    "HTTP_PORT, spec.service.port"
  })
  void a_key_the_operator_sets_names_the_field_to_use_instead(String key, String field) {
    ModelServerSpec spec = minimal();
    spec.setConfig(Map.of(key, "1"));

    assertThat(SpecValidator.validate(spec))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("spec.config." + key + ": is set by the operator; use " + field + " instead");
  }

  @ParameterizedTest
  @CsvSource({
    "MAX_BATCH_TOKENS, 0, a whole number from 1 to 10000000",
    "MAX_REQUEST_BYTES, 100, a whole number from 1024 to 1073741824",
    "INFERENCE_WORKERS, 65, a whole number from 1 to 64",
    "SHUTDOWN_DRAIN_SECONDS, 3601, a whole number from 0 to 3600",
    "LOG_FORMAT, xml, text or json",
    "HF_ENDPOINT, ftp://mirror, an http(s) URL"
  })
  void a_value_the_server_would_refuse_names_the_key_the_value_and_the_limit(
      String key, String value, String limit) {
    ModelServerSpec spec = minimal();
    spec.setConfig(Map.of(key, value));

    assertThat(SpecValidator.validate(spec))
        .containsExactly("spec.config." + key + ": must be " + limit + ", got '" + value + "'");
  }

  @Test
  void inputs_per_request_are_bounded_by_the_queue_size_of_spec_batching() {
    ModelServerSpec spec = minimal();
    spec.setConfig(Map.of("MAX_INPUTS_PER_REQUEST", "200"));
    assertThat(SpecValidator.validate(spec)).isEmpty();

    BatchingSpec batching = new BatchingSpec();
    batching.setMaxQueueSize(100);
    spec.setBatching(batching);
    assertThat(SpecValidator.validate(spec))
        .containsExactly(
            "spec.config.MAX_INPUTS_PER_REQUEST: must be at most MAX_QUEUE_SIZE (100), got"
                + " '200'");
  }

  @Test
  void an_api_key_secret_reference_needs_a_name_and_a_key() {
    ModelServerSpec spec = minimal();
    dev.mlplatform.operator.api.v1alpha1.AuthSpec auth =
        new dev.mlplatform.operator.api.v1alpha1.AuthSpec();
    auth.setApiKeySecretRef(new dev.mlplatform.operator.api.v1alpha1.SecretKeyRef("", null));
    spec.setAuth(auth);

    assertThat(SpecValidator.validate(spec))
        .containsExactlyInAnyOrder(
            "spec.auth.apiKeySecretRef.name: is required",
            "spec.auth.apiKeySecretRef.key: is required");
  }

  private static ModelServerSpec withInterval(String interval) {
    ModelServerSpec spec = minimal();
    MonitoringSpec monitoring = new MonitoringSpec();
    monitoring.setInterval(interval);
    spec.setMonitoring(monitoring);
    return spec;
  }

  @ParameterizedTest
  @ValueSource(strings = {"30s", "1m", "1m30s", "500ms", "2h", "1h5m10s250ms", "90s"})
  void prometheus_durations_are_valid_scrape_intervals(String interval) {
    assertThat(SpecValidator.validate(withInterval(interval))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"30", "30 s", "s", "1d", "30s1m", "-5s", "PT30S", "", "123456789012345678901s"})
  void other_scrape_intervals_name_the_field(String interval) {
    assertThat(SpecValidator.validate(withInterval(interval)))
        .containsExactly(
            "spec.monitoring.interval: must be a Prometheus duration such as 30s, 1m or 1m30s,"
                + " got '"
                + interval
                + "'");
  }

  @Test
  void a_zero_scrape_interval_is_refused() {
    assertThat(SpecValidator.validate(withInterval("0s")))
        .containsExactly("spec.monitoring.interval: must be longer than zero, got '0s'");
  }

  @Test
  void service_monitor_labels_must_be_valid_labels() {
    ModelServerSpec spec = minimal();
    MonitoringSpec monitoring = new MonitoringSpec();
    monitoring.setLabels(
        Map.of(
            "release", "kube-prometheus-stack",
            "example.com/team", "search",
            "bad key", "x",
            "tier", "not valid!"));
    spec.setMonitoring(monitoring);
    assertThat(SpecValidator.validate(spec))
        .containsExactlyInAnyOrder(
            "spec.monitoring.labels: 'bad key' is not a valid label key",
            "spec.monitoring.labels.tier: 'not valid!' is not a valid label value");
  }

  private static ModelServerSpec withPolicy(
      List<String> namespaces, List<LabelSelector> selectors, LabelSelector metrics) {
    ModelServerSpec spec = minimal();
    NetworkPolicySpec policy = new NetworkPolicySpec();
    policy.setEnabled(true);
    policy.setAllowedNamespaces(namespaces);
    policy.setAllowedNamespaceSelectors(selectors);
    policy.setMetricsNamespaceSelector(metrics);
    spec.setNetworkPolicy(policy);
    return spec;
  }

  @Test
  void network_policy_namespaces_and_selectors_that_kubernetes_accepts_are_valid() {
    LabelSelector selector =
        new LabelSelectorBuilder()
            .addToMatchLabels("team", "search")
            .addNewMatchExpression()
            .withKey("env")
            .withOperator("In")
            .withValues("prod", "staging")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("example.com/untrusted")
            .withOperator("DoesNotExist")
            .endMatchExpression()
            .build();
    assertThat(
            SpecValidator.validate(
                withPolicy(
                    List.of("search", "team-b"), List.of(selector, new LabelSelector()), null)))
        .isEmpty();
  }

  @Test
  void bad_network_policy_namespaces_and_selectors_name_their_field() {
    LabelSelector bad =
        new LabelSelectorBuilder()
            .addToMatchLabels("team", "a b")
            .addNewMatchExpression()
            .withKey("env")
            .withOperator("In")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("env")
            .withOperator("Exists")
            .withValues("prod")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("-env")
            .withOperator("Equals")
            .withValues("prod")
            .endMatchExpression()
            .build();
    LabelSelector metrics = new LabelSelectorBuilder().addToMatchLabels("/name", "x").build();
    assertThat(
            SpecValidator.validate(
                withPolicy(List.of("search", "Team_B", ""), List.of(bad), metrics)))
        .containsExactlyInAnyOrder(
            "spec.networkPolicy.allowedNamespaces[1]: 'Team_B' is not a namespace name",
            "spec.networkPolicy.allowedNamespaces[2]: '' is not a namespace name",
            "spec.networkPolicy.allowedNamespaceSelectors[0].matchLabels.team: 'a b' is not a"
                + " valid label value",
            "spec.networkPolicy.allowedNamespaceSelectors[0].matchExpressions[0].values: must not"
                + " be empty for operator In",
            "spec.networkPolicy.allowedNamespaceSelectors[0].matchExpressions[1].values: must be"
                + " empty for operator Exists",
            "spec.networkPolicy.allowedNamespaceSelectors[0].matchExpressions[2].key: '-env' is"
                + " not a valid label key",
            "spec.networkPolicy.allowedNamespaceSelectors[0].matchExpressions[2].operator: must be"
                + " In, NotIn, Exists or DoesNotExist, got 'Equals'",
            "spec.networkPolicy.metricsNamespaceSelector.matchLabels: '/name' is not a valid label"
                + " key");
  }
}
