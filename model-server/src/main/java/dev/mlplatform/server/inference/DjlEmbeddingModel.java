package dev.mlplatform.server.inference;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A transformer encoder run by a DJL engine, pooled by a {@link TokenPooler}. The model takes
 * {@code input_ids}, {@code attention_mask} and (when it declares it) {@code token_type_ids}, all
 * int64 {@code [batch, sequence]}, and returns token vectors {@code [batch, sequence, hidden]} (or
 * already pooled {@code [batch, hidden]}). What differs between engines (options, whether inputs
 * have names) comes from the engine's {@link EngineBackend}.
 */
public final class DjlEmbeddingModel implements EmbeddingModel {
  private static final List<String> POSITIONAL_INPUTS =
      List.of("input_ids", "attention_mask", "token_type_ids");

  private final Model model;

  /**
   * Predictors are not thread-safe, but several may run over one loaded model at once (ONNX
   * Runtime's session and a TorchScript module both take concurrent forward passes). Each call
   * borrows one, so there are never more than the batcher has workers.
   */
  private final Queue<Predictor<NDList, NDList>> predictors = new ConcurrentLinkedQueue<>();

  private final String engine;
  private final Pooling pooling;
  private final List<String> inputNames;
  private final int dimension;

  /**
   * Loads the model.
   *
   * @param engine the DJL engine's name
   * @param options the engine's load options
   * @param namedInputs whether the engine can name the model's inputs before a forward pass (ONNX
   *     can; a TorchScript takes them by position)
   * @param probe any tokenised text; one pass over it tells the vector length, whatever the
   *     export's declared output shape says
   */
  DjlEmbeddingModel(
      ModelFiles files,
      String engine,
      Map<String, Object> options,
      boolean namedInputs,
      Pooling pooling,
      TokenizedText probe) {
    this.engine = engine;
    this.pooling = pooling;
    this.model = Model.newInstance(files.weights().getFileName().toString(), engine);
    try {
      model.load(files.weights(), null, options);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelLoadException(
          "cannot load " + files.weights() + " with " + engine + ": " + e.getMessage(), e);
    }
    this.inputNames = namedInputs ? inputNames(model.describeInput()) : POSITIONAL_INPUTS;
    this.dimension = embed(List.of(probe))[0].length;
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
  public String engine() {
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
        NDArray hidden = tokenVectors(outputs);
        return new TokenPooler(pooling)
            .pool(FloatBuffer.wrap(hidden.toFloatArray()), hidden.getShape().getShape(), batch);
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

  @Override
  public void close() {
    for (Predictor<NDList, NDList> predictor; (predictor = predictors.poll()) != null; ) {
      predictor.close();
    }
    model.close();
  }

  @Override
  public String toString() {
    return "DjlEmbeddingModel[" + engine + ", " + pooling.wireName() + ", dim " + dimension + "]";
  }
}
