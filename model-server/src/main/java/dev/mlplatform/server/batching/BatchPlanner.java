package dev.mlplatform.server.batching;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Cuts a window of waiting inputs into forward passes. Inputs are sorted by length, then cut where
 * the passes cost least in all: a pass costs its padded tokens (inputs x longest input), which is
 * what the model computes, plus {@value #PASS_OVERHEAD_TOKENS} tokens for the pass itself. So short
 * texts do not ride in a pass padded to a long one's length, and texts of one length share a pass.
 * No pass holds more than {@code maxBatchSize} inputs, nor more than {@code maxBatchTokens} padded
 * tokens unless a single input is longer than that.
 */
public final class BatchPlanner {
  /**
   * What one more forward pass costs beyond its tokens, in tokens: ONNX Runtime on one thread took
   * about 5 ms for one 13-token sentence alone and 4 ms per sentence in passes of 8, so a pass
   * costs about as much as 4-5 tokens of work. 32 leans towards fewer, larger passes: a split must
   * save more padding than that.
   */
  static final int PASS_OVERHEAD_TOKENS = 32;

  private final int maxBatchSize;
  private final int maxBatchTokens;

  public BatchPlanner(int maxBatchSize, int maxBatchTokens) {
    this.maxBatchSize = maxBatchSize;
    this.maxBatchTokens = maxBatchTokens;
  }

  /** Whether inputs of these lengths already fill at least one batch, so waiting gains nothing. */
  public boolean fillsABatch(int count, int longest) {
    return count >= maxBatchSize || (long) count * longest >= maxBatchTokens;
  }

  public <T> List<List<T>> plan(List<T> window, ToIntFunction<T> length) {
    return plan(window, length, maxBatchSize);
  }

  /**
   * Like {@link #plan(List, ToIntFunction)} with batches of at most {@code sizeCap} inputs (and
   * never more than {@code maxBatchSize}), e.g. to share a window among idle workers.
   */
  public <T> List<List<T>> plan(List<T> window, ToIntFunction<T> length, int sizeCap) {
    int maxSize = Math.max(1, Math.min(sizeCap, maxBatchSize));
    List<T> sorted = new ArrayList<>(window);
    sorted.sort(Comparator.comparingInt(length));
    int n = sorted.size();
    // cheapest[i]: the least cost of passes over the first i sorted inputs; start[i]: where the
    // last of those passes starts. Sorted ascending, a pass's longest input is its last.
    long[] cheapest = new long[n + 1];
    int[] start = new int[n + 1];
    for (int end = 1; end <= n; end++) {
      long longest = length.applyAsInt(sorted.get(end - 1));
      cheapest[end] = Long.MAX_VALUE;
      for (int size = 1; size <= Math.min(maxSize, end); size++) {
        long padded = size * longest;
        if (size > 1 && padded > maxBatchTokens) {
          break;
        }
        long cost = cheapest[end - size] + PASS_OVERHEAD_TOKENS + padded;
        if (cost < cheapest[end]) { // on a tie, the earlier passes are the larger
          cheapest[end] = cost;
          start[end] = end - size;
        }
      }
    }
    List<List<T>> batches = new ArrayList<>();
    for (int end = n; end > 0; end = start[end]) {
      batches.add(0, new ArrayList<>(sorted.subList(start[end], end)));
    }
    return batches;
  }
}
