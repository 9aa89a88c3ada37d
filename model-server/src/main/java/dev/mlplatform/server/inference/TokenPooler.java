package dev.mlplatform.server.inference;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Pools a forward pass's token vectors into one vector per text, as sentence-transformers pools
 * them. Every engine's runner hands its output here instead of pooling itself, so an engine adds no
 * pooling code and every engine pools alike. Not thread-safe (it reuses one row buffer): one per
 * pass in flight.
 */
public final class TokenPooler {
  private final Pooling pooling;
  private float[] row = new float[0];

  public TokenPooler(Pooling pooling) {
    this.pooling = pooling;
  }

  /**
   * @param output the pass's output from index 0, row-major: token vectors {@code [rows, cols,
   *     dim]}, or sentence vectors {@code [rows, dim]} from an export that pools itself (taken as
   *     they are)
   * @param shape the output's shape
   * @param batch the texts of the pass; row {@code r} has {@code batch.get(r).length()} real
   *     tokens, the rest is padding
   */
  public float[][] pool(FloatBuffer output, long[] shape, List<TokenizedText> batch) {
    int rows = batch.size();
    if (shape.length == 2) {
      int dim = (int) shape[1];
      float[][] out = new float[rows][dim];
      for (int r = 0; r < rows; r++) {
        output.get(r * dim, out[r], 0, dim);
      }
      return out;
    }
    int cols = (int) shape[1];
    int dim = (int) shape[2];
    float[][] pooled = new float[rows][dim];
    for (int r = 0; r < rows; r++) {
      float[] v = pooled[r];
      int base = r * cols * dim;
      if (pooling == Pooling.CLS) {
        output.get(base, v, 0, dim);
        continue;
      }
      int length = batch.get(r).length();
      if (row.length < length * dim) {
        row = new float[cols * dim];
      }
      output.get(base, row, 0, length * dim); // one bulk copy, then plain array reads
      for (int t = 0; t < length; t++) {
        int offset = t * dim;
        for (int d = 0; d < dim; d++) {
          v[d] += row[offset + d];
        }
      }
      for (int d = 0; d < dim; d++) {
        v[d] /= Math.max(length, 1);
      }
    }
    return pooled;
  }
}
