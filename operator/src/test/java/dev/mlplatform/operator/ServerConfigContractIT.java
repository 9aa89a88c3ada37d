package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.contract.ModelUris;
import dev.mlplatform.contract.ServerLimits;
import dev.mlplatform.contract.ServerSetting;
import dev.mlplatform.contract.ServerSettings;
import dev.mlplatform.operator.api.v1alpha1.BatchingSpec;
import dev.mlplatform.operator.api.v1alpha1.Engine;
import dev.mlplatform.operator.api.v1alpha1.ModelServer;
import dev.mlplatform.operator.api.v1alpha1.Pooling;
import dev.mlplatform.operator.reconciler.SpecValidator;
import dev.mlplatform.operator.resources.ConfigMapDesiredState;
import dev.mlplatform.operator.resources.ModelSource;
import dev.mlplatform.operator.resources.ResolvedSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * One contract between the CRD and the server: specs the CRD admits, generated at random over the
 * schema's whole domain (a fixed seed, so a failure repeats), render ConfigMaps that the real
 * server's own config loader ({@code model-server check-config}) accepts; every value the loader
 * refuses at a bound of a typed field, the CRD's rules refuse too; and a {@code spec.config} of the
 * server's settings is accepted by the operator exactly when the loader accepts what it renders.
 */
class ServerConfigContractIT {
  private static final Path SERVER_JAR =
      Golden.repoRoot().resolve("model-server/target/model-server.jar");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 20261204L;
  private static final int SPECS = 400;

  /** The server's verdict on each environment, in order. */
  private static List<String> check(List<Map<String, String>> envs) throws Exception {
    assertThat(SERVER_JAR)
        .as("the model server jar (make test builds it first; alone: make build)")
        .exists();
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                SERVER_JAR.toString(),
                "dev.mlplatform.server.Main",
                ModelUris.CHECK_CONFIG_COMMAND)
            .redirectErrorStream(true)
            .start();
    try (var stdin = process.getOutputStream()) {
      for (Map<String, String> env : envs) {
        stdin.write((JSON.writeValueAsString(env) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.lines().toList();
  }

  private static Map<String, String> configMap(ModelServer server) {
    return ConfigMapDesiredState.data(ResolvedSpec.of(server, TestModelServers.DEFAULT_IMAGE));
  }

  private static int between(Random random, int min, int max) {
    // the bounds themselves are the likeliest to disagree: pick them often
    return switch (random.nextInt(4)) {
      case 0 -> min;
      case 1 -> max;
      default -> min + random.nextInt(max - min + 1);
    };
  }

  private static String uri(Random random) {
    String name = "m" + random.nextInt(1000);
    return switch (random.nextInt(8)) {
      case 0 -> null;
      case 1 -> random.nextBoolean() ? "bundled:all-minilm-l6-v2" : "bundled:all-minilm-l6-v2-q";
      case 2 -> "file:///models/" + name;
      case 3 -> "hf://org-" + random.nextInt(9) + "/" + name + ".v_2";
      case 4 -> "hf://BAAI/bge-small-en-v1.5@" + (random.nextBoolean() ? "main" : "v1.0");
      case 5 -> "https://models.example/" + name + (random.nextBoolean() ? ".tar.gz" : ".zip");
      case 6 -> "http://10.0.0.1:8080/a/" + name + ".tgz#sha256=" + "ab".repeat(32);
      default -> "pvc://model-store/" + name + "/v1";
    };
  }

  private static ModelServer randomSpec(Random random) {
    ModelServer server = TestModelServers.minimal("m", "ns");
    var model = server.getSpec().getModel();
    List<String> ids =
        List.of("sentence-transformers/all-MiniLM-L6-v2", "BAAI/bge-small-en-v1.5", "my-model");
    model.setId(ids.get(random.nextInt(ids.size())));
    model.setUri(uri(random));
    model.setEngine(random.nextBoolean() ? null : Engine.values()[random.nextInt(2)]);
    model.setMaxSequenceLength(
        between(
            random, ServerLimits.MAX_SEQUENCE_LENGTH_MIN, ServerLimits.MAX_SEQUENCE_LENGTH_MAX));
    model.setNormalize(random.nextBoolean());
    model.setPooling(Pooling.values()[random.nextInt(Pooling.values().length)]);
    BatchingSpec batching = new BatchingSpec();
    batching.setMaxBatchSize(
        between(random, ServerLimits.MAX_BATCH_SIZE_MIN, ServerLimits.MAX_BATCH_SIZE_MAX));
    batching.setMaxBatchDelayMillis(
        between(random, ServerLimits.MAX_BATCH_DELAY_MS_MIN, ServerLimits.MAX_BATCH_DELAY_MS_MAX));
    batching.setMaxQueueSize(
        between(random, ServerLimits.MAX_QUEUE_SIZE_MIN, ServerLimits.MAX_QUEUE_SIZE_MAX));
    server.getSpec().setBatching(batching);
    return server;
  }

  @Test
  void every_spec_the_crd_admits_renders_a_config_the_server_accepts() throws Exception {
    Random random = new Random(SEED);
    List<ModelServer> specs = new ArrayList<>();
    int drawn = 0;
    while (specs.size() < SPECS) {
      ModelServer server = randomSpec(random);
      drawn++;
      // only what the schema's rules admit (an id the server cannot serve without a URI is not)
      if (SpecValidator.validate(server.getSpec()).isEmpty()) {
        specs.add(server);
      }
    }
    assertThat(drawn).as("the generator mostly stays inside the schema").isLessThan(2 * SPECS);

    List<String> verdicts = check(specs.stream().map(ServerConfigContractIT::configMap).toList());

    assertThat(verdicts).hasSize(SPECS);
    for (int i = 0; i < SPECS; i++) {
      assertThat(verdicts.get(i))
          .as(
              "spec %s rendered %s",
              JSON.writeValueAsString(specs.get(i).getSpec()), configMap(specs.get(i)))
          .isEqualTo("ok");
    }
  }

  /** A typed field the operator copies into the server's environment, and how to set it. */
  private record Field(String path, int min, int max, BiConsumer<ModelServer, Integer> set) {}

  @Test
  void a_value_the_server_refuses_at_a_bound_is_refused_by_the_crd_too() throws Exception {
    List<Field> fields =
        List.of(
            new Field(
                "spec.model.maxSequenceLength",
                ServerLimits.MAX_SEQUENCE_LENGTH_MIN,
                ServerLimits.MAX_SEQUENCE_LENGTH_MAX,
                (s, v) -> s.getSpec().getModel().setMaxSequenceLength(v)),
            new Field(
                "spec.batching.maxBatchSize",
                ServerLimits.MAX_BATCH_SIZE_MIN,
                ServerLimits.MAX_BATCH_SIZE_MAX,
                (s, v) -> batching(s).setMaxBatchSize(v)),
            new Field(
                "spec.batching.maxBatchDelayMillis",
                ServerLimits.MAX_BATCH_DELAY_MS_MIN,
                ServerLimits.MAX_BATCH_DELAY_MS_MAX,
                (s, v) -> batching(s).setMaxBatchDelayMillis(v)),
            new Field(
                "spec.batching.maxQueueSize",
                ServerLimits.MAX_QUEUE_SIZE_MIN,
                ServerLimits.MAX_QUEUE_SIZE_MAX,
                (s, v) -> batching(s).setMaxQueueSize(v)));
    List<ModelServer> outside = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (Field field : fields) {
      for (int value : new int[] {field.min() - 1, field.max() + 1}) {
        ModelServer server = TestModelServers.minimal("m", "ns");
        field.set().accept(server, value);
        outside.add(server);
        paths.add(field.path() + "=" + value);
      }
    }

    List<String> verdicts = check(outside.stream().map(ServerConfigContractIT::configMap).toList());

    for (int i = 0; i < outside.size(); i++) {
      assertThat(verdicts.get(i)).as("server on %s", paths.get(i)).startsWith("invalid: ");
      String path = paths.get(i).substring(0, paths.get(i).indexOf('='));
      assertThat(SpecValidator.validate(outside.get(i).getSpec()))
          .as("CRD rules on %s", paths.get(i))
          .anySatisfy(problem -> assertThat(problem).startsWith(path));
    }
  }

  @Test
  void a_model_uri_the_server_refuses_is_refused_by_the_crd_too() throws Exception {
    Random random = new Random(SEED);
    List<String> mutations = new ArrayList<>();
    String[] breakers = {" ", "#", "@", "/", "..", "s3://", "hf:", "x", ".onnx", "#sha256=12"};
    while (mutations.size() < 300) {
      String base = uri(random);
      if (base == null) {
        continue;
      }
      StringBuilder mutated = new StringBuilder(base);
      int at = random.nextInt(mutated.length() + 1);
      mutated.insert(at, breakers[random.nextInt(breakers.length)]);
      if (random.nextBoolean()) {
        mutated.delete(0, Math.min(mutated.length(), random.nextInt(4)));
      }
      mutations.add(mutated.toString());
    }

    List<String> verdicts =
        check(
            mutations.stream()
                // what the operator hands the server (pvc:// becomes the mounted directory)
                .map(
                    u ->
                        Map.of(
                            "MODEL_ID",
                            "m",
                            "MODEL_URI",
                            new ModelSource("m", u, null).serverUri()))
                .toList());

    int refused = 0;
    for (int i = 0; i < mutations.size(); i++) {
      if (verdicts.get(i).startsWith("invalid")) {
        refused++;
        assertThat(ModelUris.valid(mutations.get(i)))
            .as(
                "the server refuses '%s' (%s) but the CRD admits it",
                mutations.get(i), verdicts.get(i))
            .isFalse();
      }
    }
    assertThat(refused).as("the mutations reach the server's refusals").isGreaterThan(50);
  }

  /**
   * Values for any setting, written by hand rather than read from the contract's bounds: both sides
   * of every bound the server documents, text that Java's parsers take but a strict reader would
   * not, blanks, words in other cases, URLs.
   */
  private static final List<String> VALUES =
      List.of(
          "-1",
          "0",
          "-0",
          "1",
          "2",
          "7",
          "63",
          "64",
          "65",
          "255",
          "256",
          "257",
          "1023",
          "1024",
          "1025",
          "2048",
          "3600",
          "3601",
          "16384",
          "10000000",
          "10000001",
          "1073741824",
          "1073741825",
          "99999999999999999999",
          "+5",
          " 12 ",
          "",
          "  ",
          "soon",
          "1.5",
          "0x10",
          "\u0663" /* Arabic-Indic 3 */,
          "text",
          "json",
          "JSON",
          "xml",
          "true",
          "https://huggingface.co",
          "http://mirror.internal:8080/hub",
          "ftp://mirror",
          "not a url",
          "http://",
          "-XX:MaxRAMPercentage=60");

  private static ModelServer randomConfig(Random random) {
    ModelServer server = TestModelServers.minimal("m", "ns");
    List<String> keys = ServerSettings.userSettableKeys();
    Map<String, String> config = new HashMap<>();
    for (int n = random.nextInt(4); n > 0; n--) {
      config.put(keys.get(random.nextInt(keys.size())), VALUES.get(random.nextInt(VALUES.size())));
    }
    server.getSpec().setConfig(config);
    if (random.nextBoolean()) {
      // MAX_INPUTS_PER_REQUEST must fit the queue the operator renders from spec.batching
      batching(server).setMaxQueueSize(List.of(1, 64, 256, 1024, 5000).get(random.nextInt(5)));
    }
    return server;
  }

  @Test
  void a_spec_config_is_accepted_by_the_operator_exactly_when_the_server_accepts_it()
      throws Exception {
    Random random = new Random(SEED);
    List<ModelServer> specs = new ArrayList<>();
    for (int i = 0; i < SPECS; i++) {
      specs.add(randomConfig(random));
    }

    List<String> verdicts = check(specs.stream().map(ServerConfigContractIT::configMap).toList());

    int refused = 0;
    for (int i = 0; i < SPECS; i++) {
      List<String> problems = SpecValidator.validate(specs.get(i).getSpec());
      String verdict = verdicts.get(i);
      String what = "spec.config " + specs.get(i).getSpec().getConfig() + ", server: " + verdict;
      if (verdict.equals("ok")) {
        assertThat(problems)
            .as("the server accepts %s but the operator refuses it", what)
            .isEmpty();
      } else {
        refused++;
        // the server names the first key it refuses; the operator names it too
        String key = verdict.substring("invalid: ".length()).split(" ")[0];
        assertThat(problems)
            .as("the server refuses %s but the operator does not say so", what)
            .anySatisfy(p -> assertThat(p).startsWith("spec.config." + key + ": "));
      }
    }
    assertThat(refused).as("both verdicts are drawn often").isBetween(SPECS / 5, SPECS * 4 / 5);
  }

  @Test
  void a_key_the_operator_sets_or_the_server_does_not_read_is_refused_with_what_to_do() {
    for (ServerSetting setting : ServerSettings.ALL) {
      ModelServer server = TestModelServers.minimal("m", "ns");
      server.getSpec().setConfig(Map.of(setting.key(), "1"));
      List<String> problems = SpecValidator.validate(server.getSpec());
      if (setting.userSettable()) {
        assertThat(problems).as(setting.key()).noneMatch(p -> p.contains("set by the operator"));
      } else {
        assertThat(problems)
            .as(setting.key())
            .containsExactly("spec.config." + setting.key() + ": " + setting.owner().refusal());
      }
    }
    ModelServer typo = TestModelServers.minimal("m", "ns");
    typo.getSpec().setConfig(Map.of("LOGFORMAT", "json"));
    assertThat(SpecValidator.validate(typo.getSpec()))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("spec.config.LOGFORMAT: is not a setting of the model server");
  }

  private static BatchingSpec batching(ModelServer server) {
    if (server.getSpec().getBatching() == null) {
      server.getSpec().setBatching(new BatchingSpec());
    }
    return server.getSpec().getBatching();
  }
}
