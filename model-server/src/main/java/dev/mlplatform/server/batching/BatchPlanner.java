package dev.mlplatform.server.batching;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Cuts a window of waiting inputs into forward passes. Inputs are sorted by length first so that
 * texts of similar length share a batch and little compute is spent on padding; a batch closes when
 * it holds {@code maxBatchSize} inputs or when one more would push its padded size (inputs x
 * longest input) over {@code maxBatchTokens}.
 */
public final class BatchPlanner {
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
    List<List<T>> batches = new ArrayList<>();
    List<T> current = new ArrayList<>();
    for (T item : sorted) {
      // sorted ascending, so the newcomer is the longest of the batch
      long padded = (long) (current.size() + 1) * length.applyAsInt(item);
      if (!current.isEmpty() && (current.size() == maxSize || padded > maxBatchTokens)) {
        batches.add(current);
        current = new ArrayList<>();
      }
      current.add(item);
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }
}
