package dev.mlplatform.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.contract.ServerSettings;
import dev.mlplatform.operator.Golden;
import dev.mlplatform.operator.api.v1alpha1.AutoscalingSpec;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelCacheSpec;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.ModelSpec;
import dev.mlplatform.operator.api.v1alpha1.MonitoringSpec;
import dev.mlplatform.operator.api.v1alpha1.NetworkPolicySpec;
import dev.mlplatform.operator.api.v1alpha1.ReplicasSpec;
import dev.mlplatform.operator.api.v1alpha1.ServiceSpec;
import dev.mlplatform.operator.resources.ConfigMapDesiredState;
import dev.mlplatform.operator.resources.DeploymentDesiredState;
import dev.mlplatform.operator.resources.HorizontalPodAutoscalerDesiredState;
import dev.mlplatform.operator.resources.NetworkPolicyDesiredState;
import dev.mlplatform.operator.resources.PodDisruptionBudgetDesiredState;
import dev.mlplatform.operator.resources.ResolvedSpec;
import dev.mlplatform.operator.resources.ServiceDesiredState;
import dev.mlplatform.operator.testing.RealCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated ModelServer CRD as a real kube-apiserver enforces it: every schema bound and CEL
 * rule refuses what it should with the API server's own message, every example is accepted, the
 * schema defaults reach an object that leaves whole sections out, and kubectl prints and explains
 * the resource from what the server publishes.
 */
class ModelServerCrdIT {

  @RegisterExtension static final RealCluster cluster = RealCluster.apiServerOnly();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String IMAGE = "ghcr.io/mlplatform/model-server:0.1.0";

  /**
   * One row per schema bound and CEL rule in the CRD: a spec (YAML flow style) that breaks it and
   * the distinctive part of the API server's answer.
   */
  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        // required fields
        refused("{}", "spec.model: Required value"),
        refused("{model: {}}", "spec.model.id: Required value"),
        refused(
            "{model: {id: m}, auth: {apiKeySecretRef: {key: k}}}",
            "spec.auth.apiKeySecretRef.name: Required value"),
        refused(
            "{model: {id: m}, auth: {apiKeySecretRef: {name: s}}}",
            "spec.auth.apiKeySecretRef.key: Required value"),
        // spec.model
        refused("{model: {id: 'two words'}}", "spec.model.id in body should match '^\\S+$'"),
        refused(
            "{model: {id: org/m, tokenSecretRef: {key: k}}}",
            "spec.model.tokenSecretRef.name: Required value"),
        refused(
            "{model: {id: org/m, tokenSecretRef: {name: s}}}",
            "spec.model.tokenSecretRef.key: Required value"),
        refused(
            "{model: {id: my-model}}",
            "model.uri is required when model.id is neither a bundled model nor a Hugging Face"
                + " repository id (ORG/NAME)"),
        refused(
            "{model: {id: m, uri: 's3://bucket/model'}}",
            "spec.model.uri in body should match '" + ModelUris.PATTERN + "'"),
        refused(
            "{model: {id: m, engine: TensorRT}}",
            "spec.model.engine: Unsupported value: \"TensorRT\": supported values:"
                + " \"OnnxRuntime\", \"PyTorch\""),
        refused(
            "{model: {id: m, maxSequenceLength: 0}}",
            "spec.model.maxSequenceLength in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m, maxSequenceLength: 8193}}",
            "spec.model.maxSequenceLength in body should be less than or equal to 8192"),
        refused(
            "{model: {id: m, pooling: max}}",
            "spec.model.pooling: Unsupported value: \"max\": supported values: \"cls\", \"mean\""),
        // spec.model.cache (its transition rules: ModelCacheIT)
        refused(
            "{model: {id: org/m, cache: {size: ten}}}",
            "spec.model.cache.size in body should match '" + ModelCacheSpec.SIZE_PATTERN + "'"),
        refused(
            "{model: {id: org/m, cache: {size: '0'}}}",
            "model.cache.size must be a quantity larger than zero, e.g. 10Gi"),
        refused(
            "{model: {id: org/m, cache: {size: '123456789012345678901'}}}",
            "spec.model.cache.size: Too long: may not be more than 20 bytes"),
        refused(
            "{model: {id: org/m, cache: {storageClassName: Fast_SSD}}}",
            "spec.model.cache.storageClassName in body should match '"
                + ModelCacheSpec.STORAGE_CLASS_PATTERN
                + "'"),
        refused(
            "{model: {id: org/m, cache: {accessMode: ReadOnlyMany}}}",
            "spec.model.cache.accessMode: Unsupported value: \"ReadOnlyMany\": supported values:"
                + " \"ReadWriteMany\", \"ReadWriteOnce\""),
        // spec.image
        refused("{model: {id: m}, image: 'my image'}", "spec.image in body should match '^\\S+$'"),
        // spec.replicas
        refused(
            "{model: {id: m}, replicas: {min: 0}}",
            "spec.replicas.min in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, replicas: {min: 1, max: 0}}",
            "spec.replicas.max in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, replicas: {min: 4, max: 2}}",
            "replicas.max must be greater than or equal to replicas.min"),
        // defaulting comes before validation: max defaults to 5
        refused(
            "{model: {id: m}, replicas: {min: 6}}",
            "replicas.max must be greater than or equal to replicas.min"),
        // spec.autoscaling
        refused(
            "{model: {id: m}, autoscaling: {targetCPUUtilizationPercentage: 0}}",
            "spec.autoscaling.targetCPUUtilizationPercentage in body should be greater than or"
                + " equal to 1"),
        refused(
            "{model: {id: m}, autoscaling: {targetCPUUtilizationPercentage: 101}}",
            "spec.autoscaling.targetCPUUtilizationPercentage in body should be less than or equal"
                + " to 100"),
        refused(
            "{model: {id: m}, autoscaling: {targetMemoryUtilizationPercentage: 0}}",
            "spec.autoscaling.targetMemoryUtilizationPercentage in body should be greater than or"
                + " equal to 1"),
        refused(
            "{model: {id: m}, autoscaling: {targetMemoryUtilizationPercentage: 101}}",
            "spec.autoscaling.targetMemoryUtilizationPercentage in body should be less than or"
                + " equal to 100"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDownStabilizationSeconds: -1}}",
            "spec.autoscaling.scaleDownStabilizationSeconds in body should be greater than or"
                + " equal to 0"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDownStabilizationSeconds: 3601}}",
            "spec.autoscaling.scaleDownStabilizationSeconds in body should be less than or equal"
                + " to 3600"),
        refused(
            "{model: {id: m}, autoscaling: {metric: memory}}",
            "spec.autoscaling.metric: Unsupported value: \"memory\""),
        refused(
            "{model: {id: m}, autoscaling: {metric: queue, targetPerReplica: 0}}",
            "spec.autoscaling.targetPerReplica in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, autoscaling: {metric: queue, targetPerReplica: 1000001}}",
            "spec.autoscaling.targetPerReplica in body should be less than or equal to 1000000"),
        refused(
            "{model: {id: m}, autoscaling: {metric: cpu, targetPerReplica: 5}}",
            "targetPerReplica applies to metric queue or concurrency; with metric cpu set targetCPUUtilizationPercentage"),
        refused(
            "{model: {id: m}, autoscaling: {targetPerReplica: 5}}",
            "targetPerReplica applies to metric queue or concurrency"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUpStabilizationSeconds: -1}}",
            "spec.autoscaling.scaleUpStabilizationSeconds in body should be greater than or equal to 0"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUpStabilizationSeconds: 3601}}",
            "spec.autoscaling.scaleUpStabilizationSeconds in body should be less than or equal to 3600"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {policies: [{value: 1, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleUp.policies[0].type: Required value"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {policies: [{type: Pods, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleUp.policies[0].value: Required value"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {policies: [{type: Pods, value: 1}]}}}",
            "spec.autoscaling.scaleUp.policies[0].periodSeconds: Required value"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {policies: [{type: Nodes, value: 1, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleUp.policies[0].type: Unsupported value: \"Nodes\""),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {policies: [{type: Pods, value: 0, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleUp.policies[0].value in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {policies: [{type: Percent, value: 10, periodSeconds: 0}]}}}",
            "spec.autoscaling.scaleUp.policies[0].periodSeconds in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {policies: [{type: Percent, value: 10, periodSeconds: 1801}]}}}",
            "spec.autoscaling.scaleUp.policies[0].periodSeconds in body should be less than or equal to 1800"),
        refused(
            "{model: {id: m}, autoscaling: {scaleUp: {selectPolicy: Average}}}",
            "spec.autoscaling.scaleUp.selectPolicy: Unsupported value: \"Average\""),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {policies: [{value: 1, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleDown.policies[0].type: Required value"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {policies: [{type: Pods, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleDown.policies[0].value: Required value"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {policies: [{type: Pods, value: 1}]}}}",
            "spec.autoscaling.scaleDown.policies[0].periodSeconds: Required value"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {policies: [{type: Nodes, value: 1, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleDown.policies[0].type: Unsupported value: \"Nodes\""),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {policies: [{type: Pods, value: 0, periodSeconds: 15}]}}}",
            "spec.autoscaling.scaleDown.policies[0].value in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {policies: [{type: Percent, value: 10, periodSeconds: 0}]}}}",
            "spec.autoscaling.scaleDown.policies[0].periodSeconds in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {policies: [{type: Percent, value: 10, periodSeconds: 1801}]}}}",
            "spec.autoscaling.scaleDown.policies[0].periodSeconds in body should be less than or equal to 1800"),
        refused(
            "{model: {id: m}, autoscaling: {scaleDown: {selectPolicy: Average}}}",
            "spec.autoscaling.scaleDown.selectPolicy: Unsupported value: \"Average\""),
        // spec.batching
        refused(
            "{model: {id: m}, batching: {maxBatchSize: 0}}",
            "spec.batching.maxBatchSize in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, batching: {maxBatchSize: 1025}}",
            "spec.batching.maxBatchSize in body should be less than or equal to 1024"),
        refused(
            "{model: {id: m}, batching: {maxBatchDelayMillis: -1}}",
            "spec.batching.maxBatchDelayMillis in body should be greater than or equal to 0"),
        refused(
            "{model: {id: m}, batching: {maxBatchDelayMillis: 10001}}",
            "spec.batching.maxBatchDelayMillis in body should be less than or equal to 10000"),
        refused(
            "{model: {id: m}, batching: {maxQueueSize: 0}}",
            "spec.batching.maxQueueSize in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, batching: {maxQueueSize: 1000001}}",
            "spec.batching.maxQueueSize in body should be less than or equal to 1000000"),
        // spec.disruptionBudget
        refused(
            "{model: {id: m}, disruptionBudget: {maxUnavailable: -1}}",
            "spec.disruptionBudget.maxUnavailable in body should be greater than or equal to 0"),
        refused(
            "{model: {id: m}, disruptionBudget: {minAvailable: -1}}",
            "spec.disruptionBudget.minAvailable in body should be greater than or equal to 0"),
        refused(
            "{model: {id: m}, disruptionBudget: {maxUnavailable: 1, minAvailable: 1}}",
            "set at most one of disruptionBudget.maxUnavailable and disruptionBudget.minAvailable"),
        // spec.monitoring
        refused(
            "{model: {id: m}, monitoring: {interval: 30sec}}",
            "spec.monitoring.interval in body should match"
                + " '^([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$'"),
        refused(
            "{model: {id: m}, monitoring: {interval: '5'}}",
            "spec.monitoring.interval in body should be at least 2 chars long"),
        refused(
            "{model: {id: m}, monitoring: {interval: 100000000000000000000s}}",
            "spec.monitoring.interval: Too long: may not be more than 20 bytes"),
        refused(
            "{model: {id: m}, monitoring: {interval: 0m0s}}", "interval must be longer than zero"),
        // spec.config: the model server's settings only; their values are the operator's to judge
        refused("{model: {id: m}, config: {LOGFORMAT: json}}", ServerSettings.KNOWN_KEYS_MESSAGE),
        refused(
            "{model: {id: m}, config: {"
                + IntStream.rangeClosed(0, ServerSettings.MAX_KEYS)
                    .mapToObj(i -> "K" + i + ": v")
                    .collect(Collectors.joining(", "))
                + "}}",
            "spec.config: Too many: " + (ServerSettings.MAX_KEYS + 1) + ": must have at most"),
        // spec.service
        refused(
            "{model: {id: m}, service: {type: ExternalName}}",
            "spec.service.type: Unsupported value: \"ExternalName\": supported values:"
                + " \"ClusterIP\", \"LoadBalancer\", \"NodePort\""),
        refused(
            "{model: {id: m}, service: {port: 0}}",
            "spec.service.port in body should be greater than or equal to 1"),
        refused(
            "{model: {id: m}, service: {port: 65536}}",
            "spec.service.port in body should be less than or equal to 65535"));
  }

  private static Arguments refused(String spec, String message) {
    return Arguments.of(spec, message);
  }

  private static GenericKubernetesResource modelServer(String name, String specYaml) {
    return Serialization.unmarshal(
        String.join(
            "\n",
            "apiVersion: serving.mlplatform.dev/v1alpha1",
            "kind: ModelServer",
            "metadata: {name: " + name + "}",
            "spec: " + specYaml,
            ""),
        GenericKubernetesResource.class);
  }

  /** Each model source the server loads passes the live schema; near misses do not. */
  @ParameterizedTest(name = "{0} accepted: {1}")
  @CsvSource({
    "bundled:all-minilm-l6-v2-q, true",
    "file:///models/minilm, true",
    "hf://BAAI/bge-small-en-v1.5, true",
    "hf://intfloat/e5-small-v2@0123456789abcdef0123456789abcdef01234567, true",
    "https://models.example/team/minilm.tar.gz, true",
    "https://models.example/m.zip#sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, true",
    "pvc://model-store/minilm, true",
    "hf://no-slash, false",
    "hf://a/b/c, false",
    "https://models.example/model.onnx, false",
    "https://models.example/m.tar.gz#md5=abc, false",
    "pvc://Not_A_Claim/x, false",
    "s3://bucket/key, false"
  })
  void the_live_schema_accepts_exactly_the_model_sources_the_server_loads(
      String uri, boolean accepted) {
    GenericKubernetesResource server =
        modelServer("source", "{model: {id: m, uri: '" + uri + "'}}");
    var create =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                cluster
                    .client()
                    .resource(server)
                    .inNamespace(cluster.namespace())
                    .dryRun()
                    .create());

    assertThat(create == null).as(String.valueOf(create)).isEqualTo(accepted);
    assertThat(ModelUris.valid(uri)).isEqualTo(accepted);
  }

  @ParameterizedTest(name = "spec {0} is refused: {1}")
  @MethodSource("invalidSpecs")
  void api_server_refuses_an_invalid_model_server_with_its_own_message(
      String spec, String message) {
    KubernetesClient client = cluster.client();
    GenericKubernetesResource server = modelServer("invalid", spec);

    assertThatThrownBy(() -> client.resource(server).inNamespace(cluster.namespace()).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void the_table_has_a_row_for_every_rule_and_bound_in_the_crd() throws IOException {
    List<String> expected = new ArrayList<>();
    collectRules("spec", crdSpecSchema(), expected);
    List<String> messages = invalidSpecs().map(a -> (String) a.get()[1]).toList();

    assertThat(expected).hasSizeGreaterThan(30);
    assertThat(expected)
        .allSatisfy(
            fragment ->
                assertThat(messages)
                    .as("a row refused with %s", fragment)
                    .anyMatch(m -> m.replaceAll("\\[\\d+\\]", "[]").contains(fragment)));
    assertThat(invalidSpecs().map(a -> (String) a.get()[0])).doesNotHaveDuplicates();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> crdSpecSchema() throws IOException {
    Map<String, Object> crd =
        Serialization.unmarshal(
            Files.readString(
                Path.of(System.getProperty("crd.generated.dir", "target/crds"))
                    .resolve("modelservers.serving.mlplatform.dev-v1.yml")),
            Map.class);
    return at(crd, "spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec");
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, Object... path) {
    Object current = node;
    for (Object step : path) {
      current =
          step instanceof Integer i
              ? ((List<Object>) current).get(i)
              : ((Map<String, Object>) current).get(step);
    }
    return (T) current;
  }

  /**
   * For every bound in the schema, the part of the API server's message that names it: field path
   * and kind of bound, or a CEL rule's own message. Kubernetes' embedded types (affinity,
   * resources) carry no bounds here.
   */
  @SuppressWarnings("unchecked")
  private static void collectRules(String path, Map<String, Object> node, List<String> expected) {
    for (String required : (List<String>) node.getOrDefault("required", List.of())) {
      expected.add(path + "." + required + ": Required value");
    }
    Map<String, String> bounds =
        Map.of(
            "minimum", " in body should be greater than or equal to ",
            "maximum", " in body should be less than or equal to ",
            "pattern", " in body should match ",
            "minLength", " in body should be at least ",
            "maxLength", ": Too long: ",
            "maxProperties", ": Too many: ",
            "enum", ": Unsupported value: ");
    bounds.forEach(
        (bound, text) -> {
          if (node.containsKey(bound)) {
            expected.add(path + text);
          }
        });
    for (Map<String, Object> rule :
        (List<Map<String, Object>>) node.getOrDefault("x-kubernetes-validations", List.of())) {
      // a transition rule (oldSelf) judges updates only, never a create: ModelCacheIT has them
      if (!((String) rule.get("rule")).contains("oldSelf")) {
        expected.add((String) rule.get("message"));
      }
    }
    ((Map<String, Object>) node.getOrDefault("properties", Map.of()))
        .forEach(
            (name, child) ->
                collectRules(path + "." + name, (Map<String, Object>) child, expected));
    if (node.get("items") instanceof Map<?, ?> items) {
      collectRules(path + "[]", (Map<String, Object>) items, expected);
    }
  }

  static Stream<Arguments> exampleModelServers() throws IOException {
    Path examples = Golden.repoRoot().resolve("examples");
    List<Arguments> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(examples)) {
      for (Path file : files.filter(f -> f.toString().matches(".*\\.ya?ml")).sorted().toList()) {
        for (GenericKubernetesResource doc : documents(file)) {
          if ("ModelServer".equals(doc.getKind())) {
            found.add(Arguments.of(examples.relativize(file).toString(), doc));
          }
        }
      }
    }
    assertThat(found).as("ModelServer examples in %s", examples).hasSizeGreaterThanOrEqualTo(2);
    return found.stream();
  }

  private static List<GenericKubernetesResource> documents(Path file) {
    try {
      return Arrays.stream(Files.readString(file).split("(?m)^---\\s*$"))
          .filter(doc -> doc.lines().anyMatch(l -> l.startsWith("kind:")))
          .map(doc -> Serialization.unmarshal(doc, GenericKubernetesResource.class))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static GenericKubernetesResource example(String name) {
    return exampleModelServersUnchecked()
        .filter(a -> a.get()[0].equals(name))
        .map(a -> (GenericKubernetesResource) a.get()[1])
        .findFirst()
        .orElseThrow();
  }

  private static Stream<Arguments> exampleModelServersUnchecked() {
    try {
      return exampleModelServers();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As a user applies it (kubectl's default is strict field validation), in the test namespace. */
  private static GenericKubernetesResource apply(GenericKubernetesResource example) {
    example.getMetadata().setNamespace(cluster.namespace());
    return cluster
        .client()
        .resource(example)
        .fieldValidation(Validation.STRICT)
        .fieldManager("kubectl")
        .serverSideApply();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleModelServers")
  void every_example_model_server_is_accepted_with_strict_field_validation(
      String file, GenericKubernetesResource example) {
    GenericKubernetesResource applied = apply(example);

    assertThat(applied.getMetadata().getUid()).isNotBlank();
  }

  @Test
  void minimal_example_reads_back_with_every_documented_default() {
    apply(example("modelserver-minimal.yaml"));

    ModelServer server =
        cluster
            .client()
            .resources(ModelServer.class)
            .inNamespace(cluster.namespace())
            .withName("minilm")
            .get();

    var spec = server.getSpec();
    assertThat(spec.getReplicas().getMin()).isEqualTo(ReplicasSpec.DEFAULT_MIN).isEqualTo(1);
    assertThat(spec.getReplicas().getMax()).isEqualTo(ReplicasSpec.DEFAULT_MAX).isEqualTo(5);
    assertThat(spec.getModel().getMaxSequenceLength())
        .isEqualTo(ModelSpec.DEFAULT_MAX_SEQUENCE_LENGTH);
    assertThat(spec.getModel().getNormalize()).isEqualTo(ModelSpec.DEFAULT_NORMALIZE);
    assertThat(spec.getModel().getPooling()).isEqualTo(ModelSpec.DEFAULT_POOLING);
    assertThat(spec.getAutoscaling().getTargetCPUUtilizationPercentage())
        .isEqualTo(AutoscalingSpec.DEFAULT_TARGET_CPU);
    assertThat(spec.getAutoscaling().getScaleDownStabilizationSeconds())
        .isEqualTo(AutoscalingSpec.DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS);
    assertThat(spec.getAutoscaling().getTargetMemoryUtilizationPercentage())
        .as("no memory target unless asked for")
        .isNull();
    assertThat(spec.getBatching().getMaxBatchSize()).isEqualTo(BatchingSpec.DEFAULT_MAX_BATCH_SIZE);
    assertThat(spec.getBatching().getMaxBatchDelayMillis())
        .isEqualTo(BatchingSpec.DEFAULT_MAX_BATCH_DELAY_MILLIS);
    assertThat(spec.getBatching().getMaxQueueSize()).isEqualTo(BatchingSpec.DEFAULT_MAX_QUEUE_SIZE);
    assertThat(spec.getService().getType()).isEqualTo(ServiceSpec.DEFAULT_TYPE);
    assertThat(spec.getService().getPort()).isEqualTo(ServiceSpec.DEFAULT_PORT);
    assertThat(spec.getMonitoring().getEnabled()).isEqualTo(MonitoringSpec.DEFAULT_ENABLED);
    assertThat(spec.getMonitoring().getInterval()).isEqualTo(MonitoringSpec.DEFAULT_INTERVAL);
    assertThat(spec.getNetworkPolicy().getEnabled()).isEqualTo(NetworkPolicySpec.DEFAULT_ENABLED);
    assertThat(spec.getNetworkPolicy().getMetricsNamespaceSelector())
        .isEqualTo(ResolvedSpec.defaultMetricsNamespaceSelector());
    assertThat(spec.getDisruptionBudget())
        .as(
            "maxUnavailable 1 is the operator's default: a schema default would clash with a"
                + " minAvailable the user sets")
        .isNull();
  }

  @Test
  void server_defaults_give_the_same_children_as_the_operators_own_defaults() {
    GenericKubernetesResource asWritten = example("modelserver-minimal.yaml");
    apply(example("modelserver-minimal.yaml"));
    ModelServer defaulted =
        cluster
            .client()
            .resources(ModelServer.class)
            .inNamespace(cluster.namespace())
            .withName("minilm")
            .get();
    // the same object, but with the spec as the user wrote it (what the mock API server stores)
    ModelServer undefaulted =
        Serialization.unmarshal(Serialization.asJson(defaulted), ModelServer.class);
    undefaulted.setSpec(
        Serialization.unmarshal(Serialization.asJson(asWritten), ModelServer.class).getSpec());
    assertThat(undefaulted.getSpec().getReplicas()).isNull();

    for (Function<ResolvedSpec, Object> child : children(defaulted)) {
      assertThat(child.apply(ResolvedSpec.of(defaulted, IMAGE)))
          .isEqualTo(child.apply(ResolvedSpec.of(undefaulted, IMAGE)));
    }
  }

  /** Each child the operator builds, for the given owner. */
  private static List<Function<ResolvedSpec, Object>> children(ModelServer owner) {
    return List.of(
        spec -> ConfigMapDesiredState.build(owner, spec),
        spec -> DeploymentDesiredState.build(owner, spec),
        spec -> ServiceDesiredState.build(owner, spec),
        spec -> HorizontalPodAutoscalerDesiredState.build(owner, spec),
        spec -> PodDisruptionBudgetDesiredState.build(owner, spec),
        spec -> NetworkPolicyDesiredState.build(owner, spec));
  }

  @Test
  void kubectl_get_shows_min_and_max_of_the_minimal_example_in_the_documented_columns() {
    apply(example("modelserver-minimal.yaml"));

    String table = cluster.kubectl("get", "msrv", "-n", cluster.namespace());

    Map<String, String> row = columns(table);
    assertThat(row.keySet())
        .containsExactly("NAME", "MODEL", "READY", "MIN", "MAX", "STATUS", "AGE");
    assertThat(row)
        .containsEntry("NAME", "minilm")
        .containsEntry("MODEL", "sentence-transformers/all-MiniLM-L6-v2")
        .containsEntry("MIN", "1")
        .containsEntry("MAX", "5");
  }

  /** The first row of kubectl's table, cut at the header's column starts. */
  private static Map<String, String> columns(String table) {
    List<String> lines = table.lines().toList();
    assertThat(lines).as(table).hasSizeGreaterThanOrEqualTo(2);
    String header = lines.get(0);
    String row = lines.get(1);
    List<Integer> starts = new ArrayList<>();
    var matcher = java.util.regex.Pattern.compile("\\S+").matcher(header);
    List<String> names = new ArrayList<>();
    while (matcher.find()) {
      starts.add(matcher.start());
      names.add(matcher.group());
    }
    Map<String, String> cells = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      int from = Math.min(starts.get(i), row.length());
      int to = i + 1 < starts.size() ? Math.min(starts.get(i + 1), row.length()) : row.length();
      cells.put(names.get(i), row.substring(from, to).trim());
    }
    return cells;
  }

  @Test
  void kubectl_explain_reads_every_field_description_from_the_server() {
    // the API server publishes the CRD's OpenAPI a moment after discovery lists it
    String explained =
        await()
            .atMost(TIMEOUT)
            .ignoreExceptions()
            .until(() -> explain("modelserver.spec"), out -> !out.isBlank());

    assertThat(explained)
        .contains("KIND: ModelServer")
        .contains("model <Object> -required- The model to serve: id, source, engine and tokenizer")
        .contains(
            "replicas <Object> Autoscaling bounds: the HPA keeps the replica count within [min,"
                + " max]. Default: min 1, max 5.");
    assertThat(explain("modelserver.spec.replicas.max"))
        .contains("FIELD: max <integer>")
        .contains("Most replicas the HPA may scale to. At least min, default 5.");
  }

  /** kubectl explain's output with its line wrapping and indentation folded into single spaces. */
  private static String explain(String field) {
    return cluster.kubectl("explain", field).replaceAll("\\s+", " ");
  }
}
