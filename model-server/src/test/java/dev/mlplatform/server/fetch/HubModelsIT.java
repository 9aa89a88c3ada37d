package dev.mlplatform.server.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.LocalHub;
import dev.mlplatform.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three real, different models served from a local Hub laid out as their Hugging Face repositories,
 * fetched and served by the real server: each one's vectors against an independent computation
 * (ONNX Runtime's own API, pooling and normalisation written out here), the semantic check, and
 * proof that the recipe in the repository (CLS vs mean pooling) is the one served.
 */
class HubModelsIT {
  private static final List<String> TEXTS =
      List.of(
          "I love freshly baked bread.",
          "Bread from the oven is delicious.",
          "The horse galloped across the field.",
          "Kubernetes schedules pods onto nodes.");

  /** A model as the Hub lays it out, from the Maven fixtures. */
  public enum Model {
    MINILM(
        "sentence-transformers/all-MiniLM-L6-v2",
        "all-minilm-l6-v2",
        "onnx/model.onnx",
        false,
        256),
    BGE("BAAI/bge-small-en-v1.5", "bge-small-en-v1.5", "onnx/model.onnx", true, 512),
    E5("intfloat/e5-small-v2", "e5-small-v2", "model.onnx", false, 512);

    final String repo;
    final String fixture;
    final String weightsPath;
    final boolean cls;
    final int maxLength;

    Model(String repo, String fixture, String weightsPath, boolean cls, int maxLength) {
      this.repo = repo;
      this.fixture = fixture;
      this.weightsPath = weightsPath;
      this.cls = cls;
      this.maxLength = maxLength;
    }

    public Path weights() {
      return fixtures().resolve(fixture + ".onnx");
    }

    public Path tokenizer() {
      return fixtures().resolve(fixture + "-tokenizer.json");
    }
  }

  @TempDir static Path recipes;
  private static LocalHub hub;
  private static final Map<Model, float[][]> served = new HashMap<>();

  static Path fixtures() {
    return Path.of(System.getProperty("onnx.fixtures", "target/fixtures/onnx"));
  }

  @BeforeAll
  static void serve_the_three_repositories() throws Exception {
    hub = new LocalHub();
    for (Model model : Model.values()) {
      Path dir = Files.createDirectories(recipes.resolve(model.fixture));
      Map<String, Path> files = new LinkedHashMap<>();
      files.put(model.weightsPath, model.weights());
      files.put("tokenizer.json", model.tokenizer());
      files.put("modules.json", write(dir, "modules.json", MODULES));
      files.put(
          "1_Pooling/config.json",
          write(
              dir,
              "pooling.json",
              "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": "
                  + model.cls
                  + ", \"pooling_mode_mean_tokens\": "
                  + !model.cls
                  + "}"));
      files.put(
          "sentence_bert_config.json",
          write(
              dir,
              "sbert.json",
              "{\"max_seq_length\": " + model.maxLength + ", \"do_lower_case\": false}"));
      if (model == Model.E5) {
        files.put(
            "config_sentence_transformers.json",
            write(
                dir,
                "st.json",
                "{\"prompts\": {\"query\": \"query: \", \"passage\": \"passage: \"}}"));
      }
      files.put("pytorch_model.bin", write(dir, "pytorch_model.bin", "not served"));
      hub.addRepo(model.repo, files);
    }
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static final String MODULES =
      "[{\"idx\":0,\"name\":\"0\",\"path\":\"\",\"type\":\"sentence_transformers.models.Transformer\"},"
          + "{\"idx\":1,\"name\":\"1\",\"path\":\"1_Pooling\",\"type\":\"sentence_transformers.models.Pooling\"},"
          + "{\"idx\":2,\"name\":\"2\",\"path\":\"2_Normalize\",\"type\":\"sentence_transformers.models.Normalize\"}]";

  private static Path write(Path dir, String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private static float[][] serve(Model model, Path cache) throws Exception {
    long started = System.nanoTime();
    int hubRequests = hub.requests().size();
    try (ServerProcess server =
        ServerProcess.start(
            Map.of(
                "MODEL_URI", "hf://" + model.repo,
                "HF_ENDPOINT", hub.endpoint().toString(),
                "MODEL_CACHE_DIR", cache.toString()))) {
      ApiClient api = server.awaitReady();
      // a figure for the docs, not a check: timing belongs to benchmarks
      int downloads = hub.requests().size() - hubRequests;
      System.out.printf(
          "HubModelsIT: hf://%s start to ready %d ms (JVM start, %s, load, warm-up)%n",
          model.repo,
          (System.nanoTime() - started) / 1_000_000,
          downloads == 0 ? "warm cache: no Hub request" : downloads + " Hub requests");
      ApiClient.Reply reply = api.post("/predict", ApiClient.json(Map.of("texts", TEXTS)));
      assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
      float[][] vectors = new float[TEXTS.size()][];
      for (int i = 0; i < TEXTS.size(); i++) {
        vectors[i] = ApiClient.floats(reply.json().get("embeddings").get(i));
      }
      return vectors;
    }
  }

  /** The model computed without the server: ONNX Runtime directly, pooling written out. */
  private static float[][] reference(Model model) throws Exception {
    return reference(model, TEXTS);
  }

  private static float[][] reference(Model model, List<String> texts) throws Exception {
    // the process's one environment, shared with the server's ONNX Runtime runner
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (HuggingFaceTokenizer tokenizer =
            HuggingFaceTokenizer.builder()
                .optTokenizerPath(model.tokenizer())
                .optMaxLength(model.maxLength)
                .optTruncation(true)
                .optPadding(false)
                .build();
        OrtSession session = env.createSession(model.weights().toString())) {
      float[][] out = new float[texts.size()][];
      for (int t = 0; t < texts.size(); t++) {
        Encoding encoding = tokenizer.encode(texts.get(t));
        long[][] ids = {encoding.getIds()};
        long[][] mask = {encoding.getAttentionMask()};
        long[][] types = {encoding.getTypeIds()};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
        inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
        if (session.getInputNames().contains("token_type_ids")) {
          inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
        }
        try (OrtSession.Result result = session.run(inputs)) {
          float[][] tokens = ((float[][][]) result.get(0).getValue())[0];
          float[] pooled = new float[tokens[0].length];
          if (model.cls) {
            pooled = tokens[0].clone();
          } else {
            for (float[] token : tokens) {
              for (int d = 0; d < pooled.length; d++) {
                pooled[d] += token[d] / tokens.length;
              }
            }
          }
          double norm = 0;
          for (float v : pooled) {
            norm += v * v;
          }
          for (int d = 0; d < pooled.length; d++) {
            pooled[d] /= (float) Math.sqrt(norm);
          }
          out[t] = pooled;
        } finally {
          inputs.values().forEach(OnnxTensor::close);
        }
      }
      return out;
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  private static synchronized float[][] servedBy(Model model, Path cache) throws Exception {
    if (!served.containsKey(model)) {
      served.put(model, serve(model, cache));
    }
    return served.get(model);
  }

  @ParameterizedTest
  @EnumSource(Model.class)
  void each_model_serves_what_an_independent_computation_gives(Model model, @TempDir Path cache)
      throws Exception {
    float[][] vectors = servedBy(model, cache);
    float[][] expected = reference(model);

    for (int i = 0; i < TEXTS.size(); i++) {
      assertThat(vectors[i]).hasSize(384);
      assertThat(cosine(vectors[i], expected[i]))
          .as("%s: %s", model, TEXTS.get(i))
          .isGreaterThan(0.99999);
    }
    // bread is closer to bread than to a horse
    assertThat(cosine(vectors[0], vectors[1])).isGreaterThan(cosine(vectors[0], vectors[2]));
  }

  @Test
  void the_repository_decides_the_recipe_bge_is_not_minilm(@TempDir Path cache) throws Exception {
    float[][] bge = servedBy(Model.BGE, cache.resolve("bge"));
    float[][] minilm = servedBy(Model.MINILM, cache.resolve("minilm"));

    for (int i = 0; i < TEXTS.size(); i++) {
      assertThat(cosine(bge[i], minilm[i])).as(TEXTS.get(i)).isLessThan(0.9);
    }
    // and BGE's CLS pooling is what the server used: mean pooling of the same model differs
    assertThat(cosine(bge[0], reference(Model.BGE)[0])).isGreaterThan(0.99999);
  }

  @Test
  void e5_prompts_from_the_repository_are_chosen_per_request(@TempDir Path cache) throws Exception {
    try (ServerProcess server =
        ServerProcess.start(
            Map.of(
                "MODEL_URI", "hf://" + Model.E5.repo,
                "HF_ENDPOINT", hub.endpoint().toString(),
                "MODEL_CACHE_DIR", cache.toString()))) {
      ApiClient api = server.awaitReady();
      String text = "how long to bake bread";
      float[] expected = reference(Model.E5, List.of("query: " + text))[0];

      ApiClient.Reply predict =
          api.post("/predict", ApiClient.json(Map.of("text", text, "prompt_name", "query")));
      ApiClient.Reply openai =
          api.post("/v1/embeddings", ApiClient.json(Map.of("input", text, "prompt_name", "query")));
      ApiClient.Reply tei =
          api.post("/embed", ApiClient.json(Map.of("inputs", text, "prompt_name", "query")));
      ApiClient.Reply plain = api.post("/predict", ApiClient.json(Map.of("text", text)));

      assertThat(cosine(ApiClient.floats(predict.json().at("/embeddings/0")), expected))
          .isGreaterThan(0.99999);
      assertThat(cosine(ApiClient.floats(openai.json().at("/data/0/embedding")), expected))
          .isGreaterThan(0.99999);
      assertThat(cosine(ApiClient.floats(tei.json().get(0)), expected)).isGreaterThan(0.99999);
      assertThat(cosine(ApiClient.floats(plain.json().at("/embeddings/0")), expected))
          .as("no prompt_name: the text as sent")
          .isLessThan(0.999);
      assertThat(api.get("/info").json().get("prompts").toString())
          .isEqualTo("{\"passage\":\"passage: \",\"query\":\"query: \"}");

      ApiClient.Reply unknown =
          api.post("/predict", ApiClient.json(Map.of("text", text, "prompt_name", "document")));
      assertThat(unknown.status()).isEqualTo(422);
      assertThat(unknown.json().at("/error/param").asText()).isEqualTo("prompt_name");
      assertThat(unknown.json().at("/error/message").asText())
          .contains("[passage, query]", "'document'");
    }
  }

  @Test
  void a_model_archive_at_a_url_is_served_like_the_same_files_from_the_hub(@TempDir Path work)
      throws Exception {
    Path archive = work.resolve("minilm.tar.gz");
    try (var out = Files.newOutputStream(archive);
        var tar =
            new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(out))) {
      Map<String, Path> files =
          Map.of(
              "onnx/model.onnx", Model.MINILM.weights(),
              "tokenizer.json", Model.MINILM.tokenizer(),
              "sentence_bert_config.json", write(work, "sbert.json", "{\"max_seq_length\": 256}"));
      for (var e : files.entrySet()) {
        var entry =
            new org.apache.commons.compress.archivers.tar.TarArchiveEntry("minilm/" + e.getKey());
        entry.setSize(Files.size(e.getValue()));
        tar.putArchiveEntry(entry);
        Files.copy(e.getValue(), tar);
        tar.closeArchiveEntry();
      }
    }
    String uri = hub.publish("minilm.tar.gz", archive) + "#sha256=" + LocalHub.digest(archive);

    try (ServerProcess server =
        ServerProcess.start(
            Map.of("MODEL_URI", uri, "MODEL_CACHE_DIR", work.resolve("cache").toString()))) {
      ApiClient api = server.awaitReady();
      float[] vector =
          ApiClient.floats(
              api.post("/predict", ApiClient.json(Map.of("text", TEXTS.get(0))))
                  .json()
                  .at("/embeddings/0"));
      assertThat(cosine(vector, reference(Model.MINILM)[0])).isGreaterThan(0.99999);
    }
  }

  @Test
  void a_warm_cache_starts_the_server_without_the_network(@TempDir Path cache) throws Exception {
    serve(Model.E5, cache);
    int requests = hub.requests().size();

    float[][] again = serve(Model.E5, cache);

    assertThat(hub.requests()).hasSize(requests);
    assertThat(cosine(again[0], reference(Model.E5)[0])).isGreaterThan(0.99999);
  }
}
