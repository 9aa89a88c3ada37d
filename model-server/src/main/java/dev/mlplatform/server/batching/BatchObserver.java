package dev.mlplatform.server.batching;

/** What the batcher reports as it works; the metrics implement it. */
public interface BatchObserver {
  /** A forward pass finished (or failed) over {@code size} inputs. */
  void onBatch(int size, int paddedTokens, long inferenceNanos, boolean failed);

  /** An input waited this long between submission and the start of its forward pass. */
  void onQueueWait(long nanos);

  BatchObserver NONE =
      new BatchObserver() {
        @Override
        public void onBatch(int size, int paddedTokens, long inferenceNanos, boolean failed) {}

        @Override
        public void onQueueWait(long nanos) {}
      };
}
