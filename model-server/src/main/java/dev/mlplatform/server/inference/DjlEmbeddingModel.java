package dev.mlplatform.server.inference;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import ai.djl.util.Utils;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * A transformer encoder run by a DJL engine, pooled as sentence-transformers pools it. The model
 * takes {@code input_ids}, {@code attention_mask} and (when it declares it) {@code token_type_ids},
 * all int64 {@code [batch, sequence]}, and returns token vectors {@code [batch, sequence, hidden]}
 * (or already pooled {@code [batch, hidden]}).
 */
public final class DjlEmbeddingModel implements EmbeddingModel {
  /** The tag suffix of the model server image that adds the PyTorch engine to ONNX Runtime. */
  private static final String PYTORCH_TAG_SUFFIX = "-pytorch";

  private static final List<String> POSITIONAL_INPUTS =
      List.of("input_ids", "attention_mask", "token_type_ids");

  private final Model model;

  /**
   * Predictors are not thread-safe, but several may run over one loaded model at once (ONNX
   * Runtime's session and a TorchScript module both take concurrent forward passes). Each call
   * borrows one, so there are never more than the batcher has workers.
   */
  private final Queue<Predictor<NDList, NDList>> predictors = new ConcurrentLinkedQueue<>();

  private final ModelEngine engine;
  private final Pooling pooling;
  private final List<String> inputNames;
  private final int dimension;

  /**
   * Loads the model.
   *
   * @param probe any tokenised text; one pass over it tells the vector length, whatever the
   *     export's declared output shape says
   */
  public DjlEmbeddingModel(ModelFiles files, Pooling pooling, int threads, TokenizedText probe) {
    this.engine = files.engine();
    this.pooling = pooling;
    if (!Engine.hasEngine(engine.djlName())) {
      throw new ModelLoadException(notInstalled(engine));
    }
    Map<String, Object> options;
    try {
      options =
          engineOptions(engine, threads); // before the engine starts: libtorch reads them once
    } catch (OrtException e) {
      throw new ModelLoadException("invalid ONNX Runtime options: " + e.getMessage(), e);
    }
    this.model = Model.newInstance(files.weights().getFileName().toString(), engine.djlName());
    try {
      model.load(files.weights(), null, options);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelLoadException(
          "cannot load " + files.weights() + " with " + engine.djlName() + ": " + e.getMessage(),
          e);
    }
    // a TorchScript takes its inputs by position and cannot describe them before a forward pass
    this.inputNames =
        engine == ModelEngine.PYTORCH ? POSITIONAL_INPUTS : inputNames(model.describeInput());
    this.dimension = embed(List.of(probe))[0].length;
  }

  /**
   * Why a model cannot run here and where it can: the default image carries ONNX Runtime only, and
   * the PyTorch engine's jars (with libtorch) ship in the image's {@value #PYTORCH_TAG_SUFFIX} tag,
   * or beside the jar in {@code engines/pytorch/} (which the jar's manifest Class-Path names).
   * Starts with its reason, as the fetch failures do, for the operator's status message.
   */
  private static String notInstalled(ModelEngine engine) {
    // DJL also registers helper engines (Rust for the tokenizers, RPC): name only model engines
    String installed =
        Arrays.stream(ModelEngine.values())
            .filter(e -> Engine.hasEngine(e.djlName()))
            .map(ModelEngine::djlName)
            .collect(Collectors.joining(", "));
    String hint =
        engine == ModelEngine.PYTORCH
            ? "run it on the model server image's "
                + PYTORCH_TAG_SUFFIX
                + " tag (a ModelServer's spec.image), or serve an ONNX export of the model"
            : "serve the model on an engine this server has";
    return "EngineNotInstalled: the model needs the "
        + engine.djlName()
        + " engine, which this server does not carry (it has "
        + installed
        + "): "
        + hint;
  }

  private static Map<String, Object> engineOptions(ModelEngine engine, int threads)
      throws OrtException {
    if (engine == ModelEngine.PYTORCH) {
      // libtorch reads its thread counts once, when the engine starts
      setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
      setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
      return Map.of();
    }
    // before the first ORT class loads its natives
    new OnnxRuntimeNatives(Utils.getEngineCacheDir("onnxruntime")).install();
    // the same session as the server's own ONNX Runtime runner, for A/B runs
    return Map.of("sessionOptions", OrtEmbeddingModel.sessionOptions(threads));
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static List<String> inputNames(PairList<String, Shape> described) {
    if (described == null
        || described.isEmpty()
        || described.keys().stream().anyMatch(k -> k == null || k.isBlank())) {
      return POSITIONAL_INPUTS;
    }
    return described.keys();
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public ModelEngine engine() {
    return engine;
  }

  @Override
  public float[][] embed(List<TokenizedText> batch) {
    int rows = batch.size();
    int cols = batch.stream().mapToInt(TokenizedText::length).max().orElse(0);
    long[] ids = new long[rows * cols];
    long[] mask = new long[rows * cols];
    long[] types = new long[rows * cols];
    for (int r = 0; r < rows; r++) {
      TokenizedText text = batch.get(r);
      System.arraycopy(text.ids(), 0, ids, r * cols, text.length());
      System.arraycopy(text.typeIds(), 0, types, r * cols, text.length());
      for (int c = 0; c < text.length(); c++) {
        mask[r * cols + c] = 1;
      }
    }
    try (NDManager manager = model.getNDManager().newSubManager()) {
      Shape shape = new Shape(rows, cols);
      NDList inputs = new NDList();
      for (String name : inputNames) {
        long[] data =
            switch (name) {
              case "attention_mask" -> mask;
              case "token_type_ids" -> types;
              default -> ids;
            };
        NDArray array = manager.create(data, shape);
        array.setName(name);
        inputs.add(array);
      }
      Predictor<NDList, NDList> predictor = borrowPredictor();
      try {
        NDList outputs = predictor.predict(inputs);
        return pool(tokenVectors(outputs), batch, cols);
      } finally {
        predictors.add(predictor);
      }
    } catch (TranslateException e) {
      throw new IllegalStateException("inference failed: " + e.getMessage(), e);
    }
  }

  private Predictor<NDList, NDList> borrowPredictor() {
    Predictor<NDList, NDList> idle = predictors.poll();
    return idle != null ? idle : model.newPredictor(new NoopTranslator());
  }

  private static NDArray tokenVectors(NDList outputs) {
    for (NDArray out : outputs) {
      if (out.getShape().dimension() == 3) {
        return out;
      }
    }
    return outputs.head();
  }

  private float[][] pool(NDArray hidden, List<TokenizedText> batch, int cols) {
    Shape shape = hidden.getShape();
    float[] data = hidden.toFloatArray();
    int rows = batch.size();
    if (shape.dimension() == 2) {
      int dim = (int) shape.get(1);
      float[][] pooled = new float[rows][];
      for (int r = 0; r < rows; r++) {
        pooled[r] = Arrays.copyOfRange(data, r * dim, (r + 1) * dim);
      }
      return pooled;
    }
    int dim = (int) shape.get(2);
    float[][] pooled = new float[rows][dim];
    for (int r = 0; r < rows; r++) {
      int base = r * cols * dim;
      float[] v = pooled[r];
      if (pooling == Pooling.CLS) {
        System.arraycopy(data, base, v, 0, dim);
        continue;
      }
      int length = batch.get(r).length();
      for (int t = 0; t < length; t++) {
        int offset = base + t * dim;
        for (int d = 0; d < dim; d++) {
          v[d] += data[offset + d];
        }
      }
      for (int d = 0; d < dim; d++) {
        v[d] /= Math.max(length, 1);
      }
    }
    return pooled;
  }

  @Override
  public void close() {
    for (Predictor<NDList, NDList> predictor; (predictor = predictors.poll()) != null; ) {
      predictor.close();
    }
    model.close();
  }

  @Override
  public String toString() {
    return "DjlEmbeddingModel["
        + engine.djlName()
        + ", "
        + pooling.wireName()
        + ", dim "
        + dimension
        + "]";
  }
}
