package dev.mlplatform.server.batching;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One submission's inputs on their way through the batcher, possibly in several batches; its future
 * completes, in the submitted order, when the last of them is embedded.
 */
final class PendingRequest {
  private final float[][] vectors;
  private final AtomicInteger remaining;
  private final CompletableFuture<float[][]> future = new CompletableFuture<>();

  PendingRequest(int inputs) {
    this.vectors = new float[inputs][];
    this.remaining = new AtomicInteger(inputs);
  }

  CompletableFuture<float[][]> future() {
    return future;
  }

  /** Stores one input's vector; true when it was the last one and the request can be answered. */
  boolean complete(int index, float[] vector) {
    vectors[index] = vector;
    return remaining.decrementAndGet() == 0;
  }

  void finish() {
    future.complete(vectors);
  }

  void fail(Throwable error) {
    future.completeExceptionally(error);
  }
}
