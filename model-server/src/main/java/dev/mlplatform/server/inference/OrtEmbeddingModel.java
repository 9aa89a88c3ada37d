package dev.mlplatform.server.inference;

import ai.djl.util.Utils;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An ONNX model run on ONNX Runtime's own Java API, pooled by a {@link TokenPooler}. The inputs are
 * written into direct buffers that ONNX Runtime reads in place, only the token-vector output is
 * computed and fetched, and ONNX Runtime writes it straight into a direct buffer of ours (a pinned
 * output): no NDArray, and no copy of the inputs or of the whole output on the way. The buffers are
 * reused from pass to pass, one set per concurrent pass.
 *
 * <p>The model takes {@code input_ids}, {@code attention_mask} and (when it declares it) {@code
 * token_type_ids}, all int64 {@code [batch, sequence]}, and returns token vectors {@code [batch,
 * sequence, hidden]} (or already pooled {@code [batch, hidden]}).
 */
public final class OrtEmbeddingModel implements EmbeddingModel {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Pooling pooling;
  private final List<String> inputNames;
  private final String outputName;
  private final boolean tokenOutput;
  private final int dimension;

  /** One set of buffers per pass in flight; there are never more than the batcher has workers. */
  private final Queue<Scratch> scratches = new ConcurrentLinkedQueue<>();

  /**
   * Loads the model.
   *
   * @param threads intra-op threads of each pass
   * @param probe any tokenised text; one pass over it tells the vector length, whatever the
   *     export's declared output shape says
   */
  OrtEmbeddingModel(ModelFiles files, Pooling pooling, int threads, TokenizedText probe) {
    this.pooling = pooling;
    // before the first ORT class loads its natives
    new OnnxRuntimeNatives(Utils.getEngineCacheDir("onnxruntime")).install();
    try {
      this.env = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions options = sessionOptions(threads)) {
        this.session = env.createSession(files.weights().toString(), options);
      }
    } catch (OrtException | RuntimeException e) {
      throw new ModelLoadException(
          "cannot load " + files.weights() + " with ONNX Runtime: " + e.getMessage(), e);
    }
    try {
      this.inputNames = List.copyOf(session.getInputNames());
      String tokens = null;
      for (Map.Entry<String, NodeInfo> output : session.getOutputInfo().entrySet()) {
        if (output.getValue().getInfo() instanceof TensorInfo info && info.getShape().length == 3) {
          tokens = output.getKey();
          break;
        }
      }
      this.tokenOutput = tokens != null;
      this.outputName = tokens != null ? tokens : session.getOutputNames().iterator().next();
      this.dimension = probeDimension(probe);
    } catch (OrtException | RuntimeException e) {
      close();
      throw new ModelLoadException(
          "cannot run " + files.weights() + " with ONNX Runtime: " + e.getMessage(), e);
    }
  }

  static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(threads);
    options.setInterOpNumThreads(1);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    // Idle ORT threads spin by default; on a few cores that steals the CPU the HTTP threads need
    // to parse and tokenise the next batch's requests.
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    return options;
  }

  /** The vector length, from one pass whose output ONNX Runtime allocates itself. */
  private int probeDimension(TokenizedText probe) throws OrtException {
    Scratch scratch = new Scratch();
    Map<String, OnnxTensor> inputs = scratch.inputs(List.of(probe), probe.length(), inputNames);
    try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
      long[] shape = ((TensorInfo) result.get(0).getInfo()).getShape();
      return (int) shape[shape.length - 1];
    } finally {
      scratch.closeInputs(inputs);
    }
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String engine() {
    return OnnxRuntimeBackend.NAME;
  }

  @Override
  public float[][] embed(List<TokenizedText> batch) {
    int rows = batch.size();
    int cols = 0;
    for (TokenizedText text : batch) {
      cols = Math.max(cols, text.length());
    }
    Scratch scratch = scratches.poll();
    if (scratch == null) {
      scratch = new Scratch();
    }
    Map<String, OnnxTensor> inputs = null;
    OnnxTensor output = null;
    try {
      inputs = scratch.inputs(batch, cols, inputNames);
      long[] shape =
          tokenOutput ? new long[] {rows, cols, dimension} : new long[] {rows, dimension};
      output = scratch.output(shape);
      try (OrtSession.Result ignored =
          session.run(inputs, Set.of(), Map.of(outputName, (OnnxValue) output))) {
        return scratch.pooler.pool(scratch.hidden, shape, batch);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("inference failed: " + e.getMessage(), e);
    } finally {
      if (output != null) {
        output.close();
      }
      if (inputs != null) {
        scratch.closeInputs(inputs);
      }
      scratches.add(scratch);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the ONNX Runtime session", e);
    }
  }

  @Override
  public String toString() {
    return "OrtEmbeddingModel[" + pooling.wireName() + ", dim " + dimension + "]";
  }

  /** Direct buffers one pass reads and writes, grown to the largest pass seen. */
  private final class Scratch {
    private LongBuffer ids = longs(0);
    private LongBuffer mask = longs(0);
    private LongBuffer types = longs(0);
    private FloatBuffer hidden = floats(0);
    private final TokenPooler pooler = new TokenPooler(pooling);

    Map<String, OnnxTensor> inputs(List<TokenizedText> batch, int cols, List<String> names)
        throws OrtException {
      int size = batch.size() * cols;
      if (ids.capacity() < size) {
        ids = longs(size);
        mask = longs(size);
        types = longs(size);
      }
      ids.clear();
      mask.clear();
      types.clear();
      for (TokenizedText text : batch) {
        int length = text.length();
        ids.put(text.ids());
        types.put(text.typeIds());
        for (int c = 0; c < length; c++) {
          mask.put(1L);
        }
        for (int c = length; c < cols; c++) {
          ids.put(0L);
          types.put(0L);
          mask.put(0L);
        }
      }
      ids.flip();
      mask.flip();
      types.flip();
      long[] shape = {batch.size(), cols};
      Map<String, OnnxTensor> tensors = new HashMap<>();
      try {
        for (String name : names) {
          LongBuffer data =
              switch (name) {
                case "attention_mask" -> mask;
                case "token_type_ids" -> types;
                default -> ids;
              };
          tensors.put(name, OnnxTensor.createTensor(env, data, shape));
        }
      } catch (OrtException | RuntimeException e) {
        closeInputs(tensors);
        throw e;
      }
      return tensors;
    }

    /** A tensor over our buffer for ONNX Runtime to write the output into. */
    OnnxTensor output(long[] shape) throws OrtException {
      int size = 1;
      for (long extent : shape) {
        size *= (int) extent;
      }
      if (hidden.capacity() < size) {
        hidden = floats(size);
      }
      hidden.clear().limit(size);
      return OnnxTensor.createTensor(env, hidden, shape);
    }

    void closeInputs(Map<String, OnnxTensor> tensors) {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  private static LongBuffer longs(int size) {
    return ByteBuffer.allocateDirect(size * Long.BYTES)
        .order(ByteOrder.nativeOrder())
        .asLongBuffer();
  }

  private static FloatBuffer floats(int size) {
    return ByteBuffer.allocateDirect(size * Float.BYTES)
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }
}
