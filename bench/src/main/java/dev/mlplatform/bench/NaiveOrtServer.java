package dev.mlplatform.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The baseline {@code make bench} compares the model server with: what a user would write in an
 * afternoon around ONNX Runtime's Java API. The JDK's HTTP server with a pool of as many threads as
 * CPUs, one ONNX Runtime session with default options (ORT's own intra-op pool over all cores,
 * spinning), and one request = one inference: a request's texts are tokenised together, padded to
 * the longest, run, mean-pooled under the mask and L2-normalised. No batching across requests, no
 * queue. It answers {@code POST /predict} with the server's JSON shape, so the same wrk script
 * drives both, and {@code GET /health/ready} once loaded.
 *
 * <p>Usage: {@code NaiveOrtServer PORT MODEL} where MODEL is the name of a bundled model ({@code
 * all-minilm-l6-v2} or {@code all-minilm-l6-v2-q}): its {@code .onnx} and tokenizer are read from
 * the classpath, from the same langchain4j jars the server bundles, and run by the same onnxruntime
 * jar. {@code BASELINE_HTTP_THREADS} overrides the pool size; {@code BASELINE_INTRA_OP_THREADS} and
 * {@code BASELINE_SPINNING=0} override ONNX Runtime's intra-op threads and spinning ({@code make
 * bench} runs it once with ORT's defaults and once with one intra-op thread: with several requests
 * in flight, ORT's default pool, one pinned and spinning thread per core, costs the baseline about
 * a third of its throughput on 2 cores).
 */
public final class NaiveOrtServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String modelName;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;

  private NaiveOrtServer(String modelName) throws Exception {
    this.modelName = modelName;
    this.env = OrtEnvironment.getEnvironment();
    this.session = env.createSession(resource(modelName + ".onnx"), sessionOptions());
    Path tokenizerJson = Files.createTempFile("naive-tokenizer", ".json");
    Files.write(tokenizerJson, resource(modelName + "-tokenizer.json"));
    this.tokenizer =
        HuggingFaceTokenizer.builder()
            .optTokenizerPath(tokenizerJson)
            .optMaxLength(256) // sentence-transformers' window for this model
            .optTruncation(true)
            .optPadding(true) // to the longest text of the request
            .build();
    Files.delete(tokenizerJson);
  }

  /**
   * ONNX Runtime's defaults unless {@code BASELINE_INTRA_OP_THREADS} or {@code BASELINE_SPINNING=0}
   * say otherwise.
   */
  private static OrtSession.SessionOptions sessionOptions() throws Exception {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    String threads = System.getenv("BASELINE_INTRA_OP_THREADS");
    if (threads != null) {
      options.setIntraOpNumThreads(Integer.parseInt(threads));
    }
    if ("0".equals(System.getenv("BASELINE_SPINNING"))) {
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
    }
    return options;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = NaiveOrtServer.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IOException(name + " is not on the classpath");
      }
      return in.readAllBytes();
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    NaiveOrtServer server = new NaiveOrtServer(args[1]);
    server.embed(List.of("warm up")); // ORT allocates lazily on the first run
    int threads =
        Integer.parseInt(
            System.getenv()
                .getOrDefault(
                    "BASELINE_HTTP_THREADS",
                    Integer.toString(Runtime.getRuntime().availableProcessors())));
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
    http.setExecutor(Executors.newFixedThreadPool(threads));
    http.createContext("/predict", server::predict);
    http.createContext("/health/ready", exchange -> reply(exchange, 200, "{\"status\":\"ready\"}"));
    http.start();
  }

  private void predict(HttpExchange exchange) throws IOException {
    try {
      JsonNode body;
      try (InputStream in = exchange.getRequestBody()) {
        body = JSON.readTree(in);
      }
      List<String> texts = new ArrayList<>();
      body.get("texts").forEach(t -> texts.add(t.textValue()));
      Embedded embedded = embed(texts);
      Map<String, Object> response = new LinkedHashMap<>();
      response.put("model", modelName);
      response.put("dimension", embedded.vectors()[0].length);
      response.put("embeddings", embedded.vectors());
      response.put("usage", Map.of("tokens", embedded.tokens()));
      reply(exchange, 200, JSON.writeValueAsBytes(response));
    } catch (Exception e) {
      reply(exchange, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
    }
  }

  private record Embedded(float[][] vectors, int tokens) {}

  private Embedded embed(List<String> texts) throws Exception {
    Encoding[] encodings = tokenizer.batchEncode(texts);
    int rows = encodings.length;
    int cols = encodings[0].getIds().length;
    long[][] ids = new long[rows][];
    long[][] mask = new long[rows][];
    long[][] types = new long[rows][];
    int tokens = 0;
    for (int r = 0; r < rows; r++) {
      ids[r] = encodings[r].getIds();
      mask[r] = encodings[r].getAttentionMask();
      types[r] = encodings[r].getTypeIds();
      for (long m : mask[r]) {
        tokens += (int) m;
      }
    }
    try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, ids);
        OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
        OnnxTensor typesTensor = OnnxTensor.createTensor(env, types);
        OrtSession.Result result =
            session.run(
                Map.of(
                    "input_ids", idsTensor,
                    "attention_mask", maskTensor,
                    "token_type_ids", typesTensor))) {
      float[][][] hidden = (float[][][]) result.get(0).getValue(); // [rows, cols, dim]
      float[][] vectors = new float[rows][];
      for (int r = 0; r < rows; r++) {
        vectors[r] = meanPooledNormalised(hidden[r], mask[r]);
      }
      return new Embedded(vectors, tokens);
    }
  }

  private static float[] meanPooledNormalised(float[][] tokenVectors, long[] mask) {
    int dim = tokenVectors[0].length;
    float[] v = new float[dim];
    int count = 0;
    for (int t = 0; t < tokenVectors.length; t++) {
      if (mask[t] == 1) {
        count++;
        for (int d = 0; d < dim; d++) {
          v[d] += tokenVectors[t][d];
        }
      }
    }
    double norm = 0;
    for (int d = 0; d < dim; d++) {
      v[d] /= Math.max(count, 1);
      norm += (double) v[d] * v[d];
    }
    norm = Math.max(Math.sqrt(norm), 1e-12);
    for (int d = 0; d < dim; d++) {
      v[d] = (float) (v[d] / norm);
    }
    return v;
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    reply(exchange, status, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
